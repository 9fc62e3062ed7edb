package main

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/samlharness/samlharness/suites/browser"
)

// ciRecipe is the GitHub Actions workflow the README shows; this file is
// its source, and the README's copy must be the same.
const ciRecipe = "testdata/ci-recipe.yml"

type workflow struct {
	Name string            `yaml:"name"`
	On   map[string]any    `yaml:"on"`
	Env  map[string]string `yaml:"env"`
	Jobs map[string]struct {
		RunsOn string `yaml:"runs-on"`
		Steps  []struct {
			Name string            `yaml:"name"`
			Uses string            `yaml:"uses"`
			With map[string]string `yaml:"with"`
			Run  string            `yaml:"run"`
			If   string            `yaml:"if"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// TestCIRecipe parses the workflow and checks its key steps: Go from
// setup-go at go.mod's version, samlharness installed from this module's
// path, Chromium from the runner's packages, the run with a JUnit report
// and every exit code handled, the reports uploaded even on failure. Every
// samlharness flag it uses must exist, and its shell must parse.
func TestCIRecipe(t *testing.T) {
	raw, err := os.ReadFile(ciRecipe)
	if err != nil {
		t.Fatal(err)
	}
	var wf workflow
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatalf("%s is not YAML: %v", ciRecipe, err)
	}
	if len(wf.Jobs) != 1 || wf.On == nil {
		t.Fatalf("want one job and triggers, got %d jobs", len(wf.Jobs))
	}
	gomod, _ := os.ReadFile("../../go.mod")
	module := regexp.MustCompile(`(?m)^module (\S+)`).FindSubmatch(gomod)
	goVersion := regexp.MustCompile(`(?m)^go (\S+)`).FindSubmatch(gomod)
	if module == nil || goVersion == nil {
		t.Fatal("go.mod has no module or go line")
	}
	found := map[string]bool{}
	for _, job := range wf.Jobs {
		if !strings.HasPrefix(job.RunsOn, "ubuntu-") {
			t.Errorf("runs-on %q: the Chromium step needs an Ubuntu runner", job.RunsOn)
		}
		for _, s := range job.Steps {
			if s.Run != "" {
				if out, err := exec.Command("bash", "-n", "-c", s.Run).CombinedOutput(); err != nil {
					t.Errorf("step %q: the shell does not parse: %v %s", s.Name, err, out)
				}
			}
			switch {
			case strings.HasPrefix(s.Uses, "actions/checkout@"):
				found["checkout"] = true
			case strings.HasPrefix(s.Uses, "actions/setup-go@"):
				found["setup-go"] = true
				if s.With["go-version"] != string(goVersion[1]) {
					t.Errorf("setup-go installs Go %q, go.mod says %s", s.With["go-version"], goVersion[1])
				}
			case strings.HasPrefix(s.Uses, "actions/upload-artifact@"):
				found["upload"] = true
				if s.If != "always()" || !strings.Contains(s.With["path"], "reports") {
					t.Errorf("the reports must be uploaded always (if: always()) from reports/, got if=%q path=%q", s.If, s.With["path"])
				}
			case regexp.MustCompile(`go (install|run) "?` + regexp.QuoteMeta(string(module[1])) + `/cmd/samlharness@`).MatchString(s.Run):
				found["install"] = true
			case strings.Contains(s.Run, "chromium") && strings.Contains(s.Run, browser.EnvChromium) && strings.Contains(s.Run, "apt-get install"):
				found["chromium"] = true
			case strings.Contains(s.Run, "samlharness run "):
				found["run"] = true
				if !regexp.MustCompile(`--junit reports/\S+\.xml`).MatchString(s.Run) {
					t.Error("the run writes no JUnit report under reports/")
				}
				for _, code := range []string{"0)", "1)", "2)", "3)"} {
					if !strings.Contains(s.Run, code) {
						t.Errorf("exit code %s is not handled", strings.TrimSuffix(code, ")"))
					}
				}
				if !strings.Contains(s.Run, "exit $code") {
					t.Error("the step does not exit with samlharness's code")
				}
			}
			checkFlags(t, s.Run)
		}
	}
	for _, k := range []string{"checkout", "setup-go", "chromium", "install", "run", "upload"} {
		if !found[k] {
			t.Errorf("the workflow has no %s step", k)
		}
	}
}

// checkFlags makes sure every `samlharness CMD --flag` in a script is a
// flag of that command.
func checkFlags(t *testing.T, script string) {
	t.Helper()
	for _, m := range regexp.MustCompile(`(?m)\bsamlharness ((?:idp metadata)|run|list|idp|peer|serve|diagnose)\b([^\n]*)`).FindAllStringSubmatch(script, -1) {
		var help bytes.Buffer
		args := append(strings.Fields(m[1]), "--help")
		if code := realMain(args, &help, &help); code != exitOK {
			t.Fatalf("samlharness %s --help exited %d", m[1], code)
		}
		for _, f := range regexp.MustCompile(`--([a-z][a-z0-9-]*)`).FindAllStringSubmatch(m[2], -1) {
			if !strings.Contains(help.String(), "\n  -"+f[1]+" ") && !strings.Contains(help.String(), "\n  -"+f[1]+"\n") {
				t.Errorf("samlharness %s has no flag --%s", m[1], f[1])
			}
		}
	}
}

// TestREADMECIRecipeIsTheFile: the README's workflow (the ```yaml block
// that starts with the recipe's first line) is the file, byte for byte.
func TestREADMECIRecipeIsTheFile(t *testing.T) {
	want, err := os.ReadFile(ciRecipe)
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(want), "\n")
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	for _, b := range blocks {
		if strings.HasPrefix(b[1], first+"\n") {
			if b[1] != string(want) {
				t.Errorf("the README's CI recipe differs from %s: paste the file again", ciRecipe)
			}
			return
		}
	}
	t.Skipf("the README shows no CI recipe yet (a ```yaml block starting %q): paste %s", first, ciRecipe)
}
