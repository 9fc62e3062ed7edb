package hostedidp

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrNoIdP says a directory holds no hosted IdP (HostedIdPConfig.Existing).
var ErrNoIdP = errors.New("no mock IdP")

// DirEnv names the environment variable that overrides DefaultDir.
const DirEnv = "SAMLHARNESS_IDP_DIR"

// DefaultDir is where the hosted IdP keeps its key and identity unless told
// otherwise: $SAMLHARNESS_IDP_DIR, else samlharness/idp in the user's
// configuration directory (~/.config/samlharness/idp on Linux,
// ~/Library/Application Support/samlharness/idp on macOS) — one IdP per
// user, whatever the working directory.
func DefaultDir() string {
	if d := os.Getenv(DirEnv); d != "" {
		if abs, err := filepath.Abs(d); err == nil {
			return abs
		}
		return d
	}
	base, err := os.UserConfigDir()
	if err != nil {
		if home, herr := os.UserHomeDir(); herr == nil {
			base = filepath.Join(home, ".config")
		} else {
			base = os.TempDir()
		}
	}
	return filepath.Join(base, "samlharness", "idp")
}

// resolveAddr fills cfg.Addr when it is empty: the address recorded in
// cfg.Dir, a free loopback port for a new directory, 127.0.0.1:0 without
// one. The recorded address is what the SP was configured with, so `idp`,
// `idp metadata`, `peer` and `run --target` agree on it by construction.
func resolveAddr(cfg *HostedIdPConfig) error {
	if cfg.Addr != "" {
		return nil
	}
	if cfg.Dir == "" {
		cfg.Addr = "127.0.0.1:0"
		return nil
	}
	if st, err := readState(cfg.Dir); err == nil && st.BaseURL != "" {
		cfg.Addr = strings.TrimPrefix(st.BaseURL, "http://")
		return nil
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return err
	}
	cfg.Addr = addr
	return nil
}

// freeLoopbackAddr asks the kernel for a free port on 127.0.0.1.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("choosing a free port for the mock IdP: %w", err)
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// readState reads a directory's state file.
func readState(dir string) (hostedState, error) {
	raw, err := os.ReadFile(filepath.Join(dir, hostedStateFile))
	if err != nil {
		return hostedState{}, err
	}
	var st hostedState
	if err := json.Unmarshal(raw, &st); err != nil {
		return hostedState{}, err
	}
	return st, nil
}

// Dir is the directory the IdP persists in ("" when nothing persists).
func (h *HostedIdP) Dir() string { return h.cfg.Dir }

// Addr is the loopback address the IdP serves (or will serve) at.
func (h *HostedIdP) Addr() string { return h.cfg.Addr }

// MetadataIssued reports whether the IdP's metadata was ever handed out
// (see MarkMetadataIssued). An IdP without a directory is always issued:
// it lives as long as the process that configured its SP.
func (h *HostedIdP) MetadataIssued() bool {
	return h.cfg.Dir == "" || h.state.MetadataIssued != nil
}

// MarkMetadataIssued records that the metadata was handed out (written,
// served or given to a peer), and the address it names if none was
// recorded, so that a run can tell an IdP some SP may trust from one
// nobody was told about.
func (h *HostedIdP) MarkMetadataIssued() error {
	if h.cfg.Dir == "" || (h.state.MetadataIssued != nil && h.state.BaseURL != "") {
		return nil
	}
	st := h.state
	if st.MetadataIssued == nil {
		now := h.cfg.Now().UTC()
		st.MetadataIssued = &now
	}
	if st.BaseURL == "" {
		st.BaseURL = h.baseURL
	}
	raw, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(h.cfg.Dir, hostedStateFile+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(append(raw, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(h.cfg.Dir, hostedStateFile)); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	h.state = st
	return nil
}

// IssuedAt is when the metadata was first handed out (zero if never).
func (h *HostedIdP) IssuedAt() time.Time {
	if h.state.MetadataIssued == nil {
		return time.Time{}
	}
	return *h.state.MetadataIssued
}
