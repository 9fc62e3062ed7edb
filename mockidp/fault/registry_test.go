package fault

import (
	"strings"
	"testing"
)

// samples gives, for every registered fault, a fault list that exercises it
// through the whole pipeline (with the companions it needs).
var samples = map[string][]Fault{
	"set-attr":                         {fault("set-attr", "path", "Response/Assertion/Conditions", "attr", "NotOnOrAfter", "value", "x")},
	"remove-attr":                      {fault("remove-attr", "path", "Response", "attr", "Destination")},
	"set-text":                         {fault("set-text", "path", "Response/Assertion/Subject/NameID", "value", "bob@acme.test")},
	"remove-element":                   {fault("remove-element", "path", "Response/Assertion/AuthnStatement")},
	"insert-xml":                       {fault("insert-xml", "path", "Response/Assertion/Conditions", "xml", "<saml2:OneTimeUse/>")},
	"duplicate-element":                {fault("duplicate-element", "path", "Response/Assertion/Conditions/AudienceRestriction")},
	"rename-element":                   {fault("rename-element", "path", "Response/Assertion/Conditions", "tag", "Kondition")},
	"set-attr-after-sign":              {fault("set-attr-after-sign", "path", "Response/Assertion/Conditions", "attr", "NotOnOrAfter", "value", "x")},
	"remove-attr-after-sign":           {fault("remove-attr-after-sign", "path", "Response", "attr", "Destination")},
	"set-text-after-sign":              {fault("set-text-after-sign", "path", "Response/Assertion/Subject/NameID", "value", "bob@acme.test")},
	"remove-element-after-sign":        {fault("remove-element-after-sign", "path", "Response/Assertion/AuthnStatement")},
	"insert-xml-after-sign":            {fault("insert-xml-after-sign", "path", "Response/Assertion/Conditions", "xml", "<saml2:OneTimeUse/>")},
	"duplicate-element-after-sign":     {fault("duplicate-element-after-sign", "path", "Response/Assertion/Conditions/AudienceRestriction")},
	"rename-element-after-sign":        {fault("rename-element-after-sign", "path", "Response/Assertion/Conditions", "tag", "Kondition")},
	"shift-time":                       {fault("shift-time", "attr", "NotBefore", "offset", "10m")},
	"set-time":                         {fault("set-time", "attr", "NotOnOrAfter", "value", "not-a-time")},
	"reformat-time":                    {fault("reformat-time", "attr", "all", "layout", "offset")},
	"remove-time":                      {fault("remove-time", "attr", "NotOnOrAfter")},
	"set-status":                       {fault("set-status", "code", "Responder", "subcode", "AuthnFailed", "message", "no")},
	"remove-status":                    {fault("remove-status")},
	"set-version":                      {fault("set-version")},
	"set-destination":                  {fault("set-destination", "value", "https://elsewhere.example/acs")},
	"set-recipient":                    {fault("set-recipient", "remove", "true")},
	"set-audience":                     {fault("set-audience", "value", "https://other.example")},
	"add-audience":                     {fault("add-audience", "value", "https://other.example")},
	"add-audience-restriction":         {fault("add-audience-restriction", "value", "https://other.example")},
	"remove-audience-restriction":      {fault("remove-audience-restriction")},
	"set-issuer":                       {fault("set-issuer", "which", "assertion", "value", "http://www.okta.com/exkOTHER", "format", "unspecified")},
	"remove-issuer":                    {fault("remove-issuer")},
	"remove-in-response-to":            {fault("remove-in-response-to")},
	"set-in-response-to":               {fault("set-in-response-to", "where", "scd", "value", "_other")},
	"set-nameid":                       {fault("set-nameid", "value", "12345", "format", "persistent")},
	"remove-nameid":                    {fault("remove-nameid")},
	"empty-nameid":                     {fault("empty-nameid", "form", "whitespace")},
	"remove-subject":                   {fault("remove-subject")},
	"remove-subject-confirmation":      {fault("remove-subject-confirmation")},
	"remove-subject-confirmation-data": {fault("remove-subject-confirmation-data")},
	"set-subject-confirmation-method":  {fault("set-subject-confirmation-method")},
	"add-subject-confirmation":         {fault("add-subject-confirmation", "method", "holder-of-key")},
	"add-condition":                    {fault("add-condition", "kind", "unknown")},
	"remove-conditions":                {fault("remove-conditions")},
	"remove-authn-statement":           {fault("remove-authn-statement")},
	"set-authn-context":                {fault("set-authn-context")},
	"remove-assertion":                 {fault("remove-assertion")},
	"duplicate-assertion":              {fault("duplicate-assertion")},
	"add-advice-assertion":             {fault("add-advice-assertion", "signed", "true")},
	"set-ids":                          {fault("set-ids", "assertion", "{response}")},
	"remove-id":                        {fault("remove-id")},
	"add-attribute":                    {fault("add-attribute", "name", "email", "value", "mallory@acme.test")},
	"empty-attribute-statement":        {fault("empty-attribute-statement")},
	"unsigned":                         {fault("unsigned")},
	"sign-only":                        {fault("sign-only", "what", "assertion")},
	"sign-with":                        {fault("sign-with", "key", "attacker")},
	"signature-method":                 {fault("signature-method")},
	"digest-method":                    {fault("digest-method")},
	"c14n-with-comments":               {fault("c14n-with-comments")},
	"omit-keyinfo":                     {fault("omit-keyinfo")},
	"signature-placement":              {fault("signature-placement")},
	"tamper-nameid":                    {fault("tamper-nameid")},
	"tamper-attr":                      {fault("tamper-attr", "path", "Response/Assertion/Conditions", "attr", "NotOnOrAfter", "value", "x")},
	"tamper-digest-value":              {fault("tamper-digest-value")},
	"tamper-signature-value":           {fault("tamper-signature-value", "mode", "empty")},
	"strip-signature":                  {fault("strip-signature")},
	"move-signature":                   {fault("sign-only", "what", "assertion"), fault("move-signature")},
	"swap-keyinfo-cert":                {fault("swap-keyinfo-cert")},
	"reference-uri":                    {fault("reference-uri", "value", "x{ID}")},
	"extra-reference":                  {fault("extra-reference")},
	"extra-signedinfo":                 {fault("extra-signedinfo")},
	"extra-signature":                  {fault("extra-signature")},
	"extra-transform":                  {fault("extra-transform", "alg", "xslt", "url", "http://127.0.0.1:9/x")},
	"xsw1":                             {fault("xsw1")},
	"xsw2":                             {fault("xsw2")},
	"xsw3":                             {fault("xsw3")},
	"xsw4":                             {fault("xsw4")},
	"xsw5":                             {fault("xsw5")},
	"xsw6":                             {fault("xsw6")},
	"xsw7":                             {fault("xsw7")},
	"xsw8":                             {fault("xsw8")},
	"xsw-signed-error-plus-assertion":  {fault("set-status"), fault("remove-assertion"), fault("xsw-signed-error-plus-assertion", "as", "second-root")},
	"xsw-prolog-element":               {fault("xsw-prolog-element")},
	"xsw-assertion-in-extensions":      {fault("xsw-assertion-in-extensions")},
	"xsw-concealed-signed-assertion":   {fault("xsw-concealed-signed-assertion")},
	"xsw-wrapped-response-in-response": {fault("xsw-wrapped-response-in-response")},
	"xsw-advice-assertion":             {fault("xsw-advice-assertion")},
	"xsw-unsigned-sibling":             {fault("xsw-unsigned-sibling")},
	"xsw-duplicate-id":                 {fault("xsw-duplicate-id")},
	"xsw-nameid-in-status-detail":      {fault("sign-only", "what", "assertion"), fault("xsw-nameid-in-status-detail")},
	"comment-in-nameid":                {fault("set-nameid", "value", "admin@acme.test.evil.test"), fault("comment-in-nameid")},
	"comment-in-nameid-before-sign":    {fault("comment-in-nameid-before-sign", "at", "@")},
	"comment-in-text":                  {fault("comment-in-text", "path", "Response/Assertion/AttributeStatement/Attribute/AttributeValue", "at", "5")},
	"cdata-in-nameid":                  {fault("cdata-in-nameid")},
	"entity-in-nameid":                 {fault("entity-in-nameid")},
	"whitespace-in-nameid":             {fault("whitespace-in-nameid")},
	"whitespace-in-nameid-before-sign": {fault("whitespace-in-nameid-before-sign")},
	"case-in-nameid":                   {fault("case-in-nameid")},
	"case-in-nameid-before-sign":       {fault("case-in-nameid-before-sign")},
	"unicode-in-nameid":                {fault("unicode-in-nameid")},
	"unicode-in-nameid-before-sign":    {fault("unicode-in-nameid-before-sign", "form", "fullwidth")},
	"doctype":                          {fault("doctype", "kind", "billion-laughs")},
	"processing-instruction":           {fault("processing-instruction")},
	"deep-nesting":                     {fault("deep-nesting", "depth", "100")},
	"oversize":                         {fault("oversize", "bytes", "1000")},
	"xml-round-trip-hazard":            {fault("xml-round-trip-hazard")},
	"namespace-confusion":              {fault("namespace-confusion")},
	"base64":                           {fault("base64", "variant", "wrapped-76")},
	"not-xml":                          {fault("not-xml")},
	"duplicate-param":                  {fault("duplicate-param")},
	"redirect-binding":                 {fault("redirect-binding")},
	"deflate-bomb":                     {fault("deflate-bomb", "mib", "2")},
	"relaystate":                       {fault("relaystate")},
	"drop-relaystate":                  {fault("drop-relaystate")},
	"encrypt-with":                     {fault("encrypt-with")},
	"key-transport":                    {fault("key-transport")},
	"data-encryption":                  {fault("data-encryption", "alg", "aes256-gcm")},
	"corrupt-ciphertext":               {fault("encrypt-with", "key", "sp"), fault("corrupt-ciphertext")},
}

// Every registered fault documents itself and names a valid stage.
func TestRegistryDocumentation(t *testing.T) {
	t.Parallel()
	all := All()
	if len(all) < 100 {
		t.Errorf("only %d faults registered", len(all))
	}
	for _, s := range all {
		if len(s.Summary) < 20 {
			t.Errorf("%s: summary %q is too short", s.Name, s.Summary)
		}
		if !s.Stage.Valid() {
			t.Errorf("%s: stage %q is not a pipeline stage", s.Name, s.Stage)
		}
		if s.Apply == nil {
			t.Errorf("%s: no Apply", s.Name)
		}
		if strings.ToLower(s.Name) != s.Name || strings.ContainsAny(s.Name, " _") {
			t.Errorf("%s: name is not kebab-case", s.Name)
		}
		seen := map[string]bool{}
		for _, p := range s.Params {
			if p.Name == "" || p.Summary == "" {
				t.Errorf("%s: parameter %q has no name or summary", s.Name, p.Name)
			}
			if seen[p.Name] {
				t.Errorf("%s: parameter %q documented twice", s.Name, p.Name)
			}
			seen[p.Name] = true
			if p.Required && p.Default != "" {
				t.Errorf("%s: required parameter %q has a default", s.Name, p.Name)
			}
			if p.Default != "" && len(p.Values) > 0 && !contains(p.Values, p.Default) {
				t.Errorf("%s: default %q of %q is not among its values %v", s.Name, p.Default, p.Name, p.Values)
			}
		}
		if s.Stage == StageSign && s.Resigns {
			t.Errorf("%s: sign-stage faults do not re-sign anything", s.Name)
		}
	}
}

// Every registered fault has a sample and runs through the pipeline.
func TestEveryFaultRuns(t *testing.T) {
	t.Parallel()
	for _, s := range All() {
		s := s
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			faults, ok := samples[s.Name]
			if !ok {
				t.Fatalf("no sample for %s", s.Name)
			}
			c := run(t, faults...)
			if len(c.RawEdits) != 0 {
				t.Errorf("raw edits left after the bind stage")
			}
			if strings.Contains(string(c.Raw), "samlharness-raw-") {
				t.Errorf("placeholder left in the delivered bytes")
			}
		})
	}
	for name := range samples {
		if _, ok := Lookup(name); !ok {
			t.Errorf("sample for unregistered fault %s", name)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	if err := Validate([]Fault{fault("xsw1"), fault("set-audience", "value", "x")}); err != nil {
		t.Fatalf("valid faults rejected: %v", err)
	}
	err := Validate([]Fault{
		fault("no-such-fault"),
		fault("set-audience"),
		fault("xsw1", "nmaeid", "x"),
		fault("unsigned", "what", "everything"),
	})
	if err == nil {
		t.Fatal("invalid faults accepted")
	}
	for _, want := range []string{`unknown fault "no-such-fault"`, `"set-audience" needs parameter "value"`,
		`"xsw1" has no parameter "nmaeid"`, `"unsigned" parameter "what" is "everything"`} {
		wantContains(t, err.Error(), want)
	}
}

func TestApplyChecksParamsAndStages(t *testing.T) {
	t.Parallel()
	c := newContext(t)
	if err := Apply(StagePreSign, c, []Fault{fault("set-version", "which", "neither")}); err == nil {
		t.Error("Apply accepted a value outside the parameter's list")
	}
	// Faults of other stages are skipped; defaults are filled in.
	if err := Apply(StagePreSign, c, []Fault{fault("xsw1"), fault("set-version")}); err != nil {
		t.Fatal(err)
	}
	resp, _ := response(c)
	if v := resp.SelectAttrValue("Version", ""); v != "1.1" {
		t.Errorf("Version %q, want the documented default 1.1", v)
	}
	if got := OfStage(StagePostSign, []Fault{fault("xsw1"), fault("set-version"), fault("nope")}); len(got) != 1 || got[0].Name != "xsw1" {
		t.Errorf("OfStage = %v", got)
	}
	for _, st := range Stages() {
		if !st.Valid() {
			t.Errorf("%s invalid", st)
		}
	}
	if Stage("build").Valid() {
		t.Error("build is not a fault stage")
	}
}

// Raw edits run when the bind stage starts and then re-encode the form.
func TestRawEditsFlushAtBind(t *testing.T) {
	t.Parallel()
	c := runTo(t, StagePostSign, fault("doctype"))
	if len(c.RawEdits) != 0 {
		t.Fatalf("doctype queued raw edits it does not need")
	}
	c = runTo(t, StagePostSign, fault("xml-round-trip-hazard"))
	if len(c.RawEdits) != 1 {
		t.Fatalf("want one queued raw edit, have %d", len(c.RawEdits))
	}
	if err := Apply(StageBind, c, nil); err == nil {
		t.Error("flushing raw edits without Raw must fail clearly")
	}
	raw, _ := c.Doc.WriteToBytes()
	c.Raw = raw
	if err := c.ApplyRawEdits(); err != nil {
		t.Fatal(err)
	}
	wantContains(t, string(c.Raw), ` ::foo="bar"`)
	if c.Form != nil {
		t.Error("ApplyRawEdits created a form")
	}
}
