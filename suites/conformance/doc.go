// Package conformance is the Ginkgo suite that runs the scenario catalogue
// against the built-in SP over HTTP, one table entry per scenario and
// profile, and writes the scenario × outcome matrix with JUnit and JSON
// reports (see conformance_suite_test.go).
package conformance
