package fault

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// intParam parses an integer parameter within [min, max].
func intParam(f Fault, name string, def, min, max int) (int, error) {
	v, ok := f.Params[name]
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("parameter %s=%q is not an integer", name, v)
	}
	if n < min || n > max {
		return 0, fmt.Errorf("parameter %s=%d is outside [%d, %d]", name, n, min, max)
	}
	return n, nil
}

// durationParam parses a Go duration parameter ("-10m", "1h30m").
func durationParam(f Fault, name string) (time.Duration, error) {
	v := f.Param(name, "")
	if v == "" {
		return 0, fmt.Errorf("parameter %s is required (a Go duration such as -10m)", name)
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("parameter %s=%q is not a Go duration such as -10m or 2h: %v", name, v, err)
	}
	return d, nil
}

// boolParam parses "true"/"false" (and 1/0, yes/no).
func boolParam(f Fault, name string, def bool) (bool, error) {
	v, ok := f.Params[name]
	if !ok || v == "" {
		return def, nil
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "yes":
		return true, nil
	case "false", "0", "no":
		return false, nil
	}
	return false, fmt.Errorf("parameter %s=%q is not true or false", name, v)
}

// whichTargets returns the targets named by a which/what parameter valued
// "response", "assertion" or "both".
func whichTargets(v string) (response, assertion bool, err error) {
	switch v {
	case "response":
		return true, false, nil
	case "assertion":
		return false, true, nil
	case "both":
		return true, true, nil
	}
	return false, false, fmt.Errorf("%q is not response, assertion or both", v)
}

// Param specs shared by several faults.
var (
	whichParam = func(def string) ParamSpec {
		return ParamSpec{Name: "which", Default: def, Values: []string{"response", "assertion", "both"},
			Summary: "which signed element's signature: response, assertion or both"}
	}
	nameIDParam = ParamSpec{Name: "nameid",
		Summary: "the forged identity; default admin@ + the domain of the original NameID (admin@forged.invalid if it has none)"}
)
