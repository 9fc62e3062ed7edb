# samlharness — `make help` lists the targets.
GO      ?= go
BIN     := bin/samlharness
REPORTS := reports

.PHONY: help build run serve test vet fmt-check chromium xmlsec1 unit fuzz fuzz-short browser conformance bench clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z0-9-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## build bin/samlharness
	$(GO) build -o $(BIN) ./cmd/samlharness

run: build ## the main job: every catalogue scenario against the built-in SP, both profiles
	$(BIN) run --json $(REPORTS)/run.json --junit $(REPORTS)/run.junit.xml

serve: build ## the mock Okta org and the workspace SP on loopback, wired together
	$(BIN) serve

test: fmt-check vet chromium xmlsec1 unit fuzz-short run ## everything CI runs: format, vet, every suite with -race (the browser tier too), each fuzz target briefly, then the main job

fmt-check: ## fail if gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet: ## go vet
	$(GO) vet ./...

# The browser tier (suites/browser) drives Debian's chromium; the binary is
# $$SAMLHARNESS_CHROMIUM when set, else chromium on PATH. Missing, it is
# installed when we are root with apt-get, and otherwise the target says how.
chromium: ## make sure Chromium is there for the browser tier (installs Debian's package as root)
	@if [ -n "$$SAMLHARNESS_CHROMIUM" ]; then \
	  if [ -x "$$SAMLHARNESS_CHROMIUM" ] && [ ! -d "$$SAMLHARNESS_CHROMIUM" ]; then \
	    echo "browser tier: $$SAMLHARNESS_CHROMIUM"; exit 0; fi; \
	  echo "browser tier: SAMLHARNESS_CHROMIUM=$$SAMLHARNESS_CHROMIUM is not an executable file: point it at a Chromium or Chrome binary, or unset it" >&2; exit 1; \
	fi; \
	if command -v chromium >/dev/null 2>&1; then echo "browser tier: $$(command -v chromium)"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "browser tier: installing Debian's chromium (apt-get update && apt-get install -y chromium)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  if apt-get update -qq && apt-get install -y -qq chromium >/dev/null; then \
	    echo "browser tier: $$(command -v chromium)"; exit 0; fi; \
	  echo "browser tier: apt-get install -y chromium failed (see above): install it, or set SAMLHARNESS_CHROMIUM to a Chromium or Chrome binary" >&2; exit 1; \
	fi; \
	echo "browser tier: Chromium is missing and cannot be installed here (needs root and apt-get): run 'sudo apt-get install -y chromium', or set SAMLHARNESS_CHROMIUM to a Chromium or Chrome binary" >&2; \
	exit 1

# The signature oracle (suites/oracle) checks goxmldsig's signatures with
# Debian's xmlsec1; the binary is $$SAMLHARNESS_XMLSEC1 when set, else xmlsec1
# on PATH. Missing, it is installed when we are root with apt-get, and
# otherwise the target says how.
xmlsec1: ## make sure xmlsec1 is there for the signature oracle (installs Debian's package as root)
	@if [ -n "$$SAMLHARNESS_XMLSEC1" ]; then \
	  if [ -x "$$SAMLHARNESS_XMLSEC1" ] && [ ! -d "$$SAMLHARNESS_XMLSEC1" ]; then \
	    echo "signature oracle: $$SAMLHARNESS_XMLSEC1"; exit 0; fi; \
	  echo "signature oracle: SAMLHARNESS_XMLSEC1=$$SAMLHARNESS_XMLSEC1 is not an executable file: point it at an xmlsec1 binary, or unset it" >&2; exit 1; \
	fi; \
	if command -v xmlsec1 >/dev/null 2>&1; then echo "signature oracle: $$(command -v xmlsec1)"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "signature oracle: installing Debian's xmlsec1 (apt-get update && apt-get install -y xmlsec1)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  if apt-get update -qq && apt-get install -y -qq xmlsec1 >/dev/null; then \
	    echo "signature oracle: $$(command -v xmlsec1)"; exit 0; fi; \
	  echo "signature oracle: apt-get install -y xmlsec1 failed (see above): install it, or set SAMLHARNESS_XMLSEC1 to an xmlsec1 binary" >&2; exit 1; \
	fi; \
	echo "signature oracle: xmlsec1 is missing and cannot be installed here (needs root and apt-get): run 'sudo apt-get install -y xmlsec1', or set SAMLHARNESS_XMLSEC1 to an xmlsec1 binary" >&2; \
	exit 1

# The browser tier runs after the other packages, on its own: a Chromium
# start competes for the CPU with nothing else then.
unit: xmlsec1 chromium ## every package and Ginkgo suite with the race detector; the browser tier last, alone
	mkdir -p $(REPORTS)
	$(GO) test -race -count=1 $$($(GO) list ./... | grep -v '/suites/browser$$')
	$(GO) test -race -count=1 ./suites/browser/

# The fuzz targets, as package:Name. Each asserts more than "no panic":
# bounded time per input, refusals that carry a stable code, and
# parse → encode → parse stability where it applies (see each target).
FUZZ_TARGETS := \
	sp:FuzzSAMLResponse sp:FuzzCertificatePEM sp:FuzzSignInWithIdp \
	sp/diagnose:FuzzParseHAR sp/diagnose:FuzzParseConfig \
	mockidp:FuzzAuthnRequestRedirect mockidp:FuzzAuthnRequestPOST mockidp:FuzzAuthnRequestXML \
	suites/target/external:FuzzParseTargetSpec
FUZZTIME ?= 60s

fuzz: ## run every fuzz target for FUZZTIME each (default 60s; e.g. make fuzz FUZZTIME=10m)
	@set -e; for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; name=$${t##*:}; echo "fuzz: $$name in ./$$pkg for $(FUZZTIME)"; \
	  $(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) ./$$pkg; \
	done

fuzz-short: ## every fuzz target for 4 s each (part of make test)
	@$(MAKE) --no-print-directory fuzz FUZZTIME=4s

browser: chromium ## the browser tier alone: the setup guide and its failures in headless Chromium
	$(GO) test -count=1 ./suites/browser/ -ginkgo.v

bench: chromium ## benchmarks: one login against one RSA signature, a browser login against a page load, and the rest
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean: ## remove build output and reports
	rm -rf bin $(REPORTS)
