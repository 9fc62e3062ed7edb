package repro_test

import (
	"os"
	"path/filepath"

	"github.com/samlharness/samlharness/sp/diagnose"
)

// dumpReport writes a diagnosis as --json would print it to
// $DIAGNOSE_DUMP/<kind>-<name>.json, for before/after comparisons of
// diagnose's output (nothing is written when the variable is unset).
func dumpReport(kind, name string, rep *diagnose.Report) {
	dir := os.Getenv("DIAGNOSE_DUMP")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, kind+"-"+name+".json"))
	if err != nil {
		return
	}
	defer f.Close()
	_ = rep.WriteJSON(f)
}
