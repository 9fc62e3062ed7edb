package browser

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
)

// EnvChromium names the environment variable that overrides the browser
// binary's path.
const EnvChromium = "SAMLHARNESS_CHROMIUM"

// AptPackage is the Debian package that provides the browser.
const AptPackage = "chromium"

// candidates are the names looked up on PATH when EnvChromium is unset,
// Debian's first.
var candidates = []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"}

// ErrNoChromium says that no browser binary was found.
var ErrNoChromium = errors.New("browser tier: no Chromium found: set " + EnvChromium +
	" to a Chromium or Chrome binary, or install Debian's package with `apt-get install -y " + AptPackage +
	"` (as root; `make test` does this for you)")

// FindChromium returns the browser binary: $SAMLHARNESS_CHROMIUM when set
// (it must be an executable file), else the first of chromium,
// chromium-browser, google-chrome-stable and google-chrome on PATH.
func FindChromium() (string, error) {
	if p := os.Getenv(EnvChromium); p != "" {
		st, err := os.Stat(p)
		if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return "", fmt.Errorf("browser tier: %s=%q is not an executable file: point it at a Chromium or Chrome binary, or unset it to use %q from PATH (Debian package %q)",
				EnvChromium, p, candidates[0], AptPackage)
		}
		return p, nil
	}
	for _, name := range candidates {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// Flags are the command-line switches the browser always gets, besides
// headless mode and a fresh user-data directory.
var Flags = []string{
	"no-sandbox", "disable-gpu", "disable-background-networking", "disable-component-update",
	"disable-sync", "no-first-run", "no-default-browser-check", "disable-dev-shm-usage",
	"disable-extensions", "disable-default-apps", "mute-audio", "hide-scrollbars",
}

// Options configure Start.
type Options struct {
	// Path is the browser binary (default FindChromium).
	Path string
	// StartTimeout bounds the browser's start (default 30 s).
	StartTimeout time.Duration
	// Stderr receives the browser's own output (default discarded).
	Stderr io.Writer
}

// Browser is one headless Chromium process with a fresh user-data
// directory. It is safe for concurrent use: each Session is independent.
type Browser struct {
	// Path is the binary that runs.
	Path string
	// Started is how long the start took (process launch to first tab).
	Started time.Duration

	ctx         context.Context // the first tab's context: it owns the process
	cancel      context.CancelFunc
	allocCancel context.CancelFunc
	dataDir     string
	closeOnce   sync.Once
}

// Start launches the browser headless with Flags and waits until it
// answers.
func Start(opts Options) (*Browser, error) {
	if opts.Path == "" {
		p, err := FindChromium()
		if err != nil {
			return nil, err
		}
		opts.Path = p
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 90 * time.Second
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	dir, err := os.MkdirTemp("", "samlharness-chromium-")
	if err != nil {
		return nil, fmt.Errorf("browser tier: cannot make a user-data directory: %w", err)
	}
	// chromedp's defaults (Puppeteer's: no throttling of background tabs
	// and timers, the network service in process, …), then ours.
	alloc := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(opts.Path),
		chromedp.Headless,
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(opts.Stderr),
	)
	for _, f := range Flags {
		alloc = append(alloc, chromedp.Flag(f, true))
	}
	b := &Browser{Path: opts.Path, dataDir: dir}
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), alloc...)
	b.allocCancel = allocCancel
	b.ctx, b.cancel = chromedp.NewContext(allocCtx)
	t0 := time.Now()
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(b.ctx) }() // binds the process to b.ctx, not to a timeout
	select {
	case err = <-started:
	case <-time.After(opts.StartTimeout):
		err = fmt.Errorf("did not answer within %s", opts.StartTimeout)
	}
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("browser tier: cannot start %s: %w (check that it runs: %s --headless --version)", opts.Path, err, opts.Path)
	}
	b.Started = time.Since(t0)
	return b, nil
}

// Close stops the browser and removes its user-data directory.
func (b *Browser) Close() {
	b.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		defer cancel()
		_ = chromedp.Cancel(ctx)
		b.cancel()
		b.allocCancel()
		_ = os.RemoveAll(b.dataDir)
	})
}

// Version is the browser's product string, e.g. "Chrome/156.0.8078.108".
func (b *Browser) Version() (string, error) {
	v, err := chromedp.CallBrowser(b.ctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		return "", err
	}
	return v.Product, nil
}

// Session is one person's browser: a fresh browser context, like an
// incognito profile, with its own cookies, storage, permissions and
// download folder. Its tabs share them.
type Session struct {
	// Name says whose browser it is ("admin", "alice").
	Name string

	browser   *Browser
	ctx       context.Context // the first tab's context; owns the browser context
	cancel    context.CancelFunc
	id        cdp.BrowserContextID
	downloads string

	mu   sync.Mutex
	tabs []*Tab
}

// NewSession opens a fresh browser context and its first tab. Clipboard
// access is granted, so the pages' Copy buttons and a pasted Ctrl+V work
// as they do for a person; downloads are saved to a folder of the session.
func (b *Browser) NewSession(name string) (*Session, error) {
	dir, err := os.MkdirTemp("", "samlharness-downloads-")
	if err != nil {
		return nil, fmt.Errorf("session %s: %w", name, err)
	}
	s := &Session{Name: name, browser: b, downloads: dir}
	first, err := s.open(b.ctx, name, chromedp.WithNewBrowserContext())
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("session %s: %w", name, err)
	}
	s.ctx, s.cancel, s.tabs = first.ctx, first.cancel, []*Tab{first}
	s.id = chromedp.FromContext(s.ctx).BrowserContextID
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	for _, perm := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: perm, AllowWithoutSanitization: true},
			Setting:    browser.PermissionSettingGranted, BrowserContextID: s.id,
		}); err != nil {
			s.Close()
			return nil, fmt.Errorf("session %s: granting %s: %w", name, perm, err)
		}
	}
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, BrowserContextID: s.id, DownloadPath: dir, EventsEnabled: ptr(true),
	}); err != nil {
		s.Close()
		return nil, fmt.Errorf("session %s: allowing downloads: %w", name, err)
	}
	return s, nil
}

func ptr[T any](v T) *T { return &v }

// open opens a tab under parent that records its traffic from the first
// request on.
func (s *Session) open(parent context.Context, name string, opts ...chromedp.ContextOption) (*Tab, error) {
	t := &Tab{Name: name, Session: s, Timeout: DefaultTimeout}
	t.Net = newNetLog(t)
	t.ctx, t.cancel = chromedp.NewContext(parent, append(opts, chromedp.WithListener(t.Net.listen))...)
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(t.ctx) }() // binds the tab to t.ctx, not to a timeout
	select {
	case err := <-done:
		if err != nil {
			t.cancel()
			return nil, fmt.Errorf("opening tab %s: %w", name, err)
		}
	case <-time.After(15 * time.Second):
		t.cancel()
		return nil, fmt.Errorf("opening tab %s: the browser did not answer within 15s", name)
	}
	go t.Net.fetchBodies(t.ctx)
	ctx, cancel := context.WithTimeout(t.ctx, 5*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: InterceptPatterns}); err != nil {
		t.cancel()
		return nil, fmt.Errorf("opening tab %s: intercepting API responses: %w", name, err)
	}
	return t, nil
}

// Tab returns the session's first tab.
func (s *Session) Tab() *Tab {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tabs[0]
}

// NewTab opens another tab in the same browser context (same cookies).
func (s *Session) NewTab(name string) (*Tab, error) {
	t, err := s.open(s.ctx, name)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.tabs = append(s.tabs, t)
	s.mu.Unlock()
	return t, nil
}

// Tabs lists the session's tabs, in the order they were opened.
func (s *Session) Tabs() []*Tab {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Tab(nil), s.tabs...)
}

// ClearCookies forgets every cookie of the session, as "Clear browsing
// data" does: the next sign-in starts from scratch, in warm tabs.
func (s *Session) ClearCookies() error {
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	_, err := chromedp.CallBrowser(ctx, storage.ClearCookies, storage.ClearCookiesParams{BrowserContextID: s.id})
	return err
}

// Downloads is the folder the session's downloads are saved to.
func (s *Session) Downloads() string { return s.downloads }

// Close closes the session's tabs, disposes of its browser context and
// removes its downloads.
func (s *Session) Close() {
	if s.cancel != nil {
		s.cancel()
	}
	_ = os.RemoveAll(s.downloads)
}

// downloadPath is where a completed download landed.
func (s *Session) downloadPath(name string) string { return filepath.Join(s.downloads, name) }
