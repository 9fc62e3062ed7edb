# samlharness — `make help` lists the targets.
GO      ?= go
BIN     := bin/samlharness
REPORTS := reports

.PHONY: help build run serve test vet fmt-check unit conformance bench clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## build bin/samlharness
	$(GO) build -o $(BIN) ./cmd/samlharness

run: build ## the main job: every catalogue scenario against the built-in SP, both profiles
	$(BIN) run --json $(REPORTS)/run.json --junit $(REPORTS)/run.junit.xml

serve: build ## the mock Okta org and the workspace SP on loopback, wired together
	$(BIN) serve

test: fmt-check vet unit run ## everything CI runs: format, vet, every suite with -race, then the main job

fmt-check: ## fail if gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet: ## go vet
	$(GO) vet ./...

unit: ## every package and Ginkgo suite, with the race detector
	mkdir -p $(REPORTS)
	$(GO) test -race -count=1 ./...

bench: ## benchmarks: one login against one RSA signature, and the rest
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean: ## remove build output and reports
	rm -rf bin $(REPORTS)
