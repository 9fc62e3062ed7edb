// Package loopback is how the harness reaches the SPs and IdPs it drives:
// an HTTP client that refuses, before dialling, any address off loopback
// (127.0.0.0/8, ::1, localhost), whether a target file names it, a
// redirect points at it or a form posts to it.
package loopback

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// NotLoopbackError is a hop the harness refused to make: every server it
// drives or starts listens on loopback, and a target that sends the browser
// elsewhere (a redirect, a form action) is not followed there.
type NotLoopbackError struct {
	// Where is the refused URL or address.
	Where string
}

func (e *NotLoopbackError) Error() string {
	return fmt.Sprintf("refused to go to %s: the harness only talks to loopback addresses (127.0.0.0/8, ::1, localhost)", e.Where)
}

// Check returns a *NotLoopbackError unless u's host is localhost or
// a loopback IP. Names other than localhost are refused without resolving
// them.
func Check(u *url.URL) error {
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return &NotLoopbackError{Where: u.Redacted()}
}

// loopbackControl refuses a connection to a non-loopback address after the
// socket exists but before it connects: the last guard, for a name that
// resolved off loopback.
func loopbackControl(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return &NotLoopbackError{Where: address}
	}
	return nil
}

// loopbackOnly checks every request's URL before it is sent.
type loopbackOnly struct{ base http.RoundTripper }

func (t loopbackOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := Check(r.URL); err != nil {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, err
	}
	return t.base.RoundTrip(r)
}

// loopbackTransport is shared by every client the harness makes, so
// connections to the targets' loopback servers are reused across scenarios.
var loopbackTransport = func() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: loopbackControl}
	t.DialContext = d.DialContext
	return loopbackOnly{base: t}
}()

// Client is an HTTP client that never leaves loopback: each request
// and each redirect it follows is checked before it is sent, and each
// connection before it connects. With follow false it returns redirects
// instead of following them (the driver follows them itself, hop by hop).
func Client(jar http.CookieJar, timeout time.Duration, follow bool) *http.Client {
	c := &http.Client{Jar: jar, Timeout: timeout, Transport: loopbackTransport}
	if !follow {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return c
}

// IsNotLoopback reports whether err is a refused hop.
func IsNotLoopback(err error) bool {
	var nl *NotLoopbackError
	return errors.As(err, &nl)
}
