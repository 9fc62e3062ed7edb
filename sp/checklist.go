package sp

// checklist.go describes the SP's verification of a SAMLResponse as an
// ordered checklist of named steps. The steps themselves live in files by
// concern (check_binding.go, check_xml.go, check_structure.go,
// check_signature.go, check_protocol.go, check_time.go, check_identity.go,
// check_policy.go); checkrun.go runs them, either fail-fast (a sign-in) or
// collect-all (Explain).

// Concern groups the steps of the checklist.
type Concern string

// Concerns, in checklist order.
const (
	ConcernBinding   Concern = "binding"
	ConcernXML       Concern = "xml-safety"
	ConcernStructure Concern = "structure"
	ConcernSignature Concern = "signature"
	ConcernProtocol  Concern = "protocol"
	ConcernTime      Concern = "time"
	ConcernIdentity  Concern = "identity"
	ConcernPolicy    Concern = "workspace-policy"
)

// RuleKind says what a step's rule rests on.
type RuleKind string

// Rule kinds.
const (
	// RuleSpecified: a SAML 2.0 or XML-DSig clause requires it (Clause).
	RuleSpecified RuleKind = "specified"
	// RuleRecorded: Identity Platform was observed doing it (Source names
	// the public recording or document).
	RuleRecorded RuleKind = "recorded"
	// RulePolicy: the workspace's own rule from its SSO setup guide.
	RulePolicy RuleKind = "policy"
	// RuleAssumed: our choice where the real behaviour is unknown (Reason
	// says why).
	RuleAssumed RuleKind = "assumed"
)

// Rule is what a checklist step enforces and what that rests on.
type Rule struct {
	Kind RuleKind `json:"kind"`
	// Clause is the specification clause (specified), e.g.
	// "saml-core §2.5.1.4".
	Clause string `json:"clause,omitempty"`
	// Source is the public recording or document (recorded, policy).
	Source string `json:"source,omitempty"`
	// Reason is the one-line justification of an assumed rule.
	Reason string `json:"reason,omitempty"`
}

// StepInfo is the read-only description of one checklist step.
type StepInfo struct {
	// Name is the step's stable kebab-case name (Config.UnsafeDisableSteps
	// and StepResult.Step use it).
	Name    string  `json:"name"`
	Concern Concern `json:"concern"`
	// Stage is where the step's refusal is answered: ExplainStageSignInWithIdp
	// (accounts:signInWithIdp) or ExplainStageSession (the session step).
	Stage string `json:"stage"`
	// Summary says what the step checks, in one line.
	Summary string `json:"summary"`
	Rule    Rule   `json:"rule"`
	// Profiles lists the profiles whose Policy runs the step.
	Profiles []Profile `json:"profiles"`
	// Reasons are the reasons the step can refuse with.
	Reasons []Reason `json:"reasons"`
}

// StepStatus is the outcome of one step in an explanation.
type StepStatus string

// Step outcomes.
const (
	// StepPass: the step ran and found nothing wrong.
	StepPass StepStatus = "pass"
	// StepFail: the step ran and refuses the response (Reason set).
	StepFail StepStatus = "fail"
	// StepNotRun: a prerequisite step failed or did not run (BlockedBy).
	StepNotRun StepStatus = "not-run"
	// StepNotApplicable: the profile's Policy does not run this step.
	StepNotApplicable StepStatus = "not-applicable"
	// StepDisabled: switched off with Config.UnsafeDisableSteps (tests only).
	StepDisabled StepStatus = "disabled"
)

// StepResult is what one checklist step made of a response in collect-all
// mode.
type StepResult struct {
	Step    string     `json:"step"`
	Concern Concern    `json:"concern"`
	Stage   string     `json:"stage"`
	Rule    Rule       `json:"rule"`
	Status  StepStatus `json:"status"`
	// Reason, Message, Detail and Values are set when Status is StepFail:
	// the typed reason, the message the SP would answer (error.message),
	// the precise explanation and the message's placeholder values.
	Reason  Reason            `json:"reason,omitempty"`
	Message string            `json:"message,omitempty"`
	Detail  string            `json:"detail,omitempty"`
	Values  map[string]string `json:"values,omitempty"`
	// BlockedBy names the failed (or not-run) prerequisite step when
	// Status is StepNotRun.
	BlockedBy string `json:"blockedBy,omitempty"`
	// Unverified reports that the step read the original, unverified tree
	// because the signature steps did not yield verified content: the SP
	// itself never reads it there, so the result explains, it does not
	// decide.
	Unverified bool `json:"unverified,omitempty"`

	err *APIError // the refusal itself (StepFail)
}

// Finding is one refusal a step would give (a failed StepResult).
type Finding struct {
	Step    string            `json:"step"`
	Concern Concern           `json:"concern"`
	Stage   string            `json:"stage"`
	Reason  Reason            `json:"reason"`
	Rule    Rule              `json:"rule"`
	Message string            `json:"message"`
	Detail  string            `json:"detail"`
	Values  map[string]string `json:"values,omitempty"`
	// Unverified: see StepResult.Unverified.
	Unverified bool `json:"unverified,omitempty"`
	// First marks the finding the SP answers with (Explanation.Err).
	First bool `json:"first,omitempty"`
}
