package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
)

// Exit statuses, the same for every command.
const (
	// exitOK: every expectation met (or a server stopped with Ctrl-C).
	exitOK = 0
	// exitFailed: the run finished and some scenario failed its
	// expectation (or was inconclusive).
	exitFailed = 1
	// exitUsage: usage or bad input — an unknown flag, a bad --filter
	// term, a target file that does not parse.
	exitUsage = 2
	// exitSetup: the run could not be set up — a port in use, a report
	// directory that cannot be written, an SP that does not answer, a
	// failed control login, a missing or unconfigured IdP directory.
	// Nothing was judged.
	exitSetup = 3
)

const exitsRun = `exit codes:
  0  every expectation met
  1  the run finished and some scenario failed (or was inconclusive: its control login failed)
  2  usage or bad input: unknown flag, bad --filter term, unreadable or invalid target file
  3  setup could not be completed, nothing was judged: a port in use, a report file that cannot
     be written, an SP that does not answer, a failed control login, a missing or unconfigured
     IdP directory; one message names the cause and the fix
`

const exitsList = `exit codes:
  0  the catalogue was printed
  2  usage or bad input: unknown flag, bad --filter term (one that matches no ID, category or label)
`

const exitsServe = `exit codes:
  0  stopped with Ctrl-C
  2  usage or bad input
  3  setup could not be completed: a port in use; one message names the cause and the fix
`

const exitsPeer = `exit codes:
  0  stopped with Ctrl-C
  2  usage or bad input: unknown flag, unknown peer
  3  setup could not be completed: a port in use, a target file that cannot be written, an
     unusable IdP directory; one message names the cause and the fix
`

const exitsIdP = `exit codes:
  0  served until Ctrl-C, or (idp metadata) the metadata was written
  2  usage or bad input: unknown flag, invalid target file
  3  setup could not be completed: the port is in use, the IdP directory is unusable, the
     metadata file cannot be written; one message names the cause and the fix
`

const exitsDiagnose = `exit codes:
  0  the SP signs the user in with this evidence
  1  the SP refuses it: the diagnosis is printed
  2  usage or bad input: the inputs cannot be used
`

// setupError is a setup failure: the cause and the fix, printed as one
// message, and exit status 3.
type setupError struct {
	cause string
	fix   string
}

func (e *setupError) Error() string { return e.cause + "\n  fix: " + e.fix }

// setupFailed prints a setup error as one message and returns exitSetup.
func setupFailed(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "samlharness %s: setup could not be completed: %v\n", cmd, err)
	return exitSetup
}

// listenError turns a failure to listen on addr into a setup error whose
// fix names the flag to change.
func listenError(what, addr, flagName string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return &setupError{
			cause: fmt.Sprintf("%s cannot listen on %s: the port is in use (another samlharness serve, idp or peer?)", what, addr),
			fix:   fmt.Sprintf("stop the other process, or pass %s 127.0.0.1:0 to pick a free port", flagName),
		}
	}
	var op *net.OpError
	if errors.As(err, &op) || errors.Is(err, os.ErrPermission) {
		return &setupError{
			cause: fmt.Sprintf("%s cannot listen on %s: %v", what, addr, err),
			fix:   fmt.Sprintf("pass %s with a loopback address you may bind, e.g. 127.0.0.1:0", flagName),
		}
	}
	return err
}

// checkWritable makes sure a report can be written at path before a run
// starts, so a bad path costs seconds, not a whole run.
func checkWritable(flagName, path string) error {
	if path == "" {
		return nil
	}
	err := func() error {
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			return errors.New("it is a directory")
		}
		dir := filepath.Dir(path)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		f, err := os.CreateTemp(dir, ".samlharness-write-check-*")
		if err != nil {
			return err
		}
		f.Close()
		return os.Remove(f.Name())
	}()
	if err == nil {
		return nil
	}
	return &setupError{
		cause: fmt.Sprintf("cannot write the %s report %s: %v", flagName, path, err),
		fix:   fmt.Sprintf("pass %s a path in a directory you can write", flagName),
	}
}
