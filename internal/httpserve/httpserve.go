// Package httpserve is the one way the project starts an HTTP server: on a
// loopback address, with read-header, read, write and idle timeouts, a
// header size cap and a cap on open connections.
//
// # Values and why
//
//   - ReadHeaderTimeout 10 s: a request line and headers arrive in one
//     packet on loopback; ten seconds is generous for a person typing into
//     nc and cuts slowloris header drips.
//   - ReadTimeout 30 s: the largest body any server here accepts is a
//     SAMLResponse post of a few MiB, read from loopback in milliseconds; a
//     body dripped slower than that is cut.
//   - WriteTimeout 60 s: every handler answers from memory (signing a
//     response costs about a millisecond); a client that does not read its
//     answer for a minute is dropped.
//   - IdleTimeout 60 s: a keep-alive connection nobody uses gives its slot
//     back after a minute.
//   - MaxHeaderBytes 1 MiB (net/http's default): a normal request line and
//     headers are a few KiB, but the catalogue sends hostile HTTP-Redirect
//     messages (a deflate bomb) of hundreds of KiB in the URL, and the SP
//     under test must answer them with its own refusal, not a transport
//     error.
//   - MaxConns 512: the most connections a server holds open at once. When
//     a new connection arrives at the cap, the oldest open connection is
//     closed to make room: slow clients cannot exhaust the process's file
//     descriptors, and a flood of them cannot keep a new, normal request
//     waiting behind them (a normal request on loopback lasts milliseconds,
//     so it is never the oldest for long). 512 is above the 128 concurrent
//     logins of the load benchmark and the handful of connections a browser
//     or the runner keeps.
//
// None of these bounds meets the scenario catalogue: its timing scenarios
// (expired assertions, clock skew, NotBefore) move an injected clock and
// never wait in real time.
package httpserve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Defaults of Options (see the package comment for the reasons).
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
	DefaultMaxHeaderBytes    = http.DefaultMaxHeaderBytes
	DefaultMaxConns          = 512
)

// Options bound a server. A zero field takes its default.
type Options struct {
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	MaxHeaderBytes    int
	// MaxConns caps the connections open at once.
	MaxConns int
}

func (o Options) withDefaults() Options {
	if o.ReadHeaderTimeout <= 0 {
		o.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = DefaultReadTimeout
	}
	if o.ReadHeaderTimeout > o.ReadTimeout {
		o.ReadHeaderTimeout = o.ReadTimeout
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if o.MaxConns <= 0 {
		o.MaxConns = DefaultMaxConns
	}
	return o
}

// NewServer is an http.Server for h with the bounds of o. Serve it with
// Serve (which applies the connection cap), not with its own Serve method.
func NewServer(h http.Handler, o Options) *http.Server {
	o = o.withDefaults()
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: o.ReadHeaderTimeout,
		ReadTimeout:       o.ReadTimeout,
		WriteTimeout:      o.WriteTimeout,
		IdleTimeout:       o.IdleTimeout,
		MaxHeaderBytes:    o.MaxHeaderBytes,
	}
}

// Listen opens a TCP listener on a loopback address (127.0.0.0/8 or ::1;
// port 0 picks a free port). Any other address is refused.
func Listen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("listen address %q: only loopback addresses (127.0.0.0/8, ::1) are allowed", addr)
	}
	return net.Listen("tcp", addr)
}

// Serve serves srv on ln with at most maxConns connections open at once
// (0: DefaultMaxConns; at the cap the oldest is closed for the newcomer).
// It returns http.ErrServerClosed after Shutdown or Close, as
// http.Server.Serve does.
func Serve(srv *http.Server, ln net.Listener, maxConns int) error {
	return srv.Serve(Limit(ln, maxConns))
}

// Server is a running bounded server.
type Server struct {
	*http.Server
	// URL is "http://" + the listener's address.
	URL string
	ln  net.Listener
}

// Start listens on the loopback addr and serves h in the background with
// the bounds of o.
func Start(addr string, h http.Handler, o Options) (*Server, error) {
	ln, err := Listen(addr)
	if err != nil {
		return nil, err
	}
	o = o.withDefaults()
	s := &Server{Server: NewServer(h, o), URL: "http://" + ln.Addr().String(), ln: ln}
	go func() { _ = Serve(s.Server, ln, o.MaxConns) }()
	return s, nil
}

// Addr is the listener's address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Stop shuts the server down, waiting up to two seconds for requests in
// flight, then closes what is left.
func (s *Server) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		_ = s.Close()
	}
}
