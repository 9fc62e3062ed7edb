package mockidp

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/samlharness/samlharness/internal/wire"
	"github.com/samlharness/samlharness/mockidp/fault"
)

// Test-only faults, one per stage, that record what they saw in a log named
// by their "log" parameter (so parallel tests keep their logs apart).

var probeLogs sync.Map // log name → *probeLog

type probeLog struct {
	mu      sync.Mutex
	entries []string
}

func (l *probeLog) add(format string, a ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, fmt.Sprintf(format, a...))
}

func (l *probeLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.entries...)
}

func logFor(f fault.Fault) *probeLog {
	v, _ := probeLogs.LoadOrStore(f.Param("log", ""), &probeLog{})
	return v.(*probeLog)
}

const probeNameID = "probe@example.com"

func init() {
	logParam := []fault.ParamSpec{{Name: "log", Required: true, Summary: "the test log to record into"}}
	fault.Register(fault.Spec{Name: "mockidp-test-probe-pre-sign", Stage: fault.StagePreSign, Resigns: true, Summary: "test probe", Params: logParam,
		Apply: func(c *fault.Context, f fault.Fault) error {
			root := c.Doc.Root()
			signed := len(root.FindElements(".//Signature")) > 0
			logFor(f).add("pre-sign signed=%v", signed)
			root.FindElement(".//NameID").SetText(probeNameID)
			return nil
		}})
	fault.Register(fault.Spec{Name: "mockidp-test-probe-sign", Stage: fault.StageSign, Summary: "test probe", Params: logParam,
		Apply: func(c *fault.Context, f fault.Fault) error {
			logFor(f).add("sign signed=%v plan=%v/%v", len(c.Doc.Root().FindElements(".//Signature")) > 0, c.Plan.SignResponse, c.Plan.SignAssertion)
			return nil
		}})
	fault.Register(fault.Spec{Name: "mockidp-test-probe-post-sign", Stage: fault.StagePostSign, Summary: "test probe", Params: logParam,
		Apply: func(c *fault.Context, f fault.Fault) error {
			logFor(f).add("post-sign signatures=%d form=%v", len(c.Doc.Root().FindElements(".//Signature")), c.Form != nil)
			return nil
		}})
	bindParams := append(logParam, fault.ParamSpec{Name: "redirect", Summary: "true: switch to the HTTP-Redirect binding"})
	fault.Register(fault.Spec{Name: "mockidp-test-probe-bind", Stage: fault.StageBind, Summary: "test probe", Params: bindParams,
		Apply: func(c *fault.Context, f fault.Fault) error {
			logFor(f).add("bind form=%v raw=%v", c.Form.Get("SAMLResponse") != "", len(c.Raw) > 0)
			if f.Param("redirect", "") == "true" {
				c.Binding = wire.BindingHTTPRedirect
			}
			return nil
		}})
	fault.Register(fault.Spec{Name: "mockidp-test-failing", Stage: fault.StagePostSign, Summary: "always fails",
		Apply: func(*fault.Context, fault.Fault) error { return fmt.Errorf("deliberate failure") }})
}

var logSeq atomic.Int64

// uniqueLog names a fresh log (tests may run more than once: -count).
func uniqueLog(t *testing.T) string {
	return fmt.Sprintf("%s#%d", t.Name(), logSeq.Add(1))
}

func faultNamed(name string, params ...string) fault.Fault {
	f := fault.Fault{Name: name, Params: map[string]string{}}
	for i := 0; i+1 < len(params); i += 2 {
		f.Params[params[i]] = params[i+1]
	}
	return f
}

func probes(log string, stages ...string) []fault.Fault {
	var out []fault.Fault
	for _, s := range stages {
		out = append(out, faultNamed("mockidp-test-probe-"+s, "log", log))
	}
	return out
}

// TestPipelineStages proves the stages run in order, a pre-sign change is
// covered by a valid signature.
func TestPipelineStages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		appFaults bool // configure on the app (else per call)
	}{{"per call", false}, {"configured on the app", true}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			idp, app, _ := setup(t, defaultSettings())
			log := uniqueLog(t)
			faults := probes(log, "bind", "post-sign", "sign", "pre-sign")
			req := ResponseRequest{AppID: app.ID, Login: testLogin, SAMLRequest: redirectRequest(t, authnRequestXML("_req"))}
			if tc.appFaults {
				if err := idp.SetFaults(app.ID, faults...); err != nil {
					t.Fatal(err)
				}
				got, _ := idp.App(app.ID)
				if len(got.Faults) != len(faults) {
					t.Fatalf("app faults = %v", got.Faults)
				}
			} else {
				req.Faults = faults
			}
			resp, err := idp.Respond(req)
			if err != nil {
				t.Fatal(err)
			}
			v, _ := probeLogs.Load(log)
			got := strings.Join(v.(*probeLog).all(), " | ")
			want := "pre-sign signed=false | sign signed=false plan=true/true | post-sign signatures=2 form=false | bind form=true raw=true"
			if got != want {
				t.Errorf("stages ran as\n %s\nwant\n %s", got, want)
			}
			// The pre-sign change is signed: both verifiers accept it.
			sp := crewjamSP(t, idp, app)
			acs, _ := url.Parse(testACS)
			a, err := sp.ParseXMLResponse(resp.XML, []string{"_req"}, *acs)
			if err != nil {
				t.Fatalf("crewjam/saml rejects the faulted response: %+v", err)
			}
			if a.Subject.NameID.Value != probeNameID {
				t.Errorf("NameID = %q, want the pre-sign fault's %q", a.Subject.NameID.Value, probeNameID)
			}
			active, _ := idp.ActiveCertificate(app.ID)
			root := parseDoc(t, resp.XML).Root()
			if err := verifyElement(root, active.X509); err != nil {
				t.Errorf("goxmldsig: %v", err)
			}
			if err := verifyElement(responseAssertion(root), active.X509); err != nil {
				t.Errorf("goxmldsig (assertion): %v", err)
			}
		})
	}
}

func TestPipelineBindRedirect(t *testing.T) {
	t.Parallel()
	idp, app, _ := setup(t, defaultSettings())
	f := faultNamed("mockidp-test-probe-bind", "log", uniqueLog(t), "redirect", "true")
	resp, err := idp.Respond(ResponseRequest{AppID: app.ID, Login: testLogin, RelayState: "r", Faults: []fault.Fault{f}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Binding != wire.BindingHTTPRedirect || !strings.HasPrefix(resp.RedirectURL, testACS+"?") {
		t.Fatalf("binding %s redirect %q", resp.Binding, resp.RedirectURL)
	}
	u, _ := url.Parse(resp.RedirectURL)
	if u.Query().Get("SAMLResponse") != resp.Form.Get("SAMLResponse") || u.Query().Get("RelayState") != "r" {
		t.Errorf("redirect query %v", u.Query())
	}
}

func TestPipelineFaultErrors(t *testing.T) {
	t.Parallel()
	idp, app, _ := setup(t, defaultSettings())
	_, err := idp.Respond(ResponseRequest{AppID: app.ID, Login: testLogin, Faults: []fault.Fault{faultNamed("mockidp-test-failing")}})
	if ErrorCode(err) != CodeFaultFailed || !strings.Contains(err.Error(), "deliberate failure") {
		t.Errorf("failing fault: %v", err)
	}
	err = idp.SetFaults(app.ID, faultNamed("nope-1"), faultNamed("mockidp-test-probe-bind"))
	var e *Error
	if ErrorCode(err) != CodeInvalidFaults || !asError(err, &e) || len(e.Causes) != 2 {
		t.Fatalf("SetFaults with two problems: %v", err)
	}
	if got, _ := idp.App(app.ID); len(got.Faults) != 0 {
		t.Errorf("invalid faults were stored: %v", got.Faults)
	}
}

// TestRegisteredFaultsSmoke runs every registered fault through the
// pipeline once (required parameters from their documented values): the
// IdP must never panic, and a fault it cannot apply must give a coded error.
func TestRegisteredFaultsSmoke(t *testing.T) {
	t.Parallel()
	s := defaultSettings()
	s.EncryptionCertificate = spEncryptionPEM(t)
	idp, app, _ := setup(t, s)
	req := ResponseRequest{AppID: app.ID, Login: testLogin, SAMLRequest: redirectRequest(t, authnRequestXML("_smoke"))}
	for _, spec := range fault.All() {
		if strings.HasPrefix(spec.Name, "mockidp-test-") {
			continue
		}
		f := fault.Fault{Name: spec.Name, Params: map[string]string{}}
		for _, p := range spec.Params {
			if p.Required && len(p.Values) > 0 {
				f.Params[p.Name] = p.Values[0]
			} else if p.Required {
				f.Params[p.Name] = "x"
			}
		}
		req.Faults = []fault.Fault{f}
		resp, err := idp.Respond(req)
		if err != nil {
			if code := ErrorCode(err); code != CodeFaultFailed && code != CodeResponseFailed {
				t.Errorf("%s: uncoded error %v", f, err)
			}
			continue
		}
		if len(resp.XML) == 0 && spec.Stage != fault.StageBind {
			t.Errorf("%s: empty response", f)
		}
	}
}
