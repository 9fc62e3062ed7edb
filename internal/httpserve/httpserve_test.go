package httpserve

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func echoLen(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	fmt.Fprintf(w, "ok %d", len(b))
}

// slowBody opens a connection that announces a body and sends one byte.
func slowBody(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nA")
	return c
}

func TestSlowBodiesBeyondTheCapDoNotStopANormalRequest(t *testing.T) {
	const maxConns = 4
	srv, err := Start("127.0.0.1:0", http.HandlerFunc(echoLen), Options{ReadTimeout: 300 * time.Millisecond, MaxConns: maxConns})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	var conns []net.Conn
	for range 8 * maxConns {
		conns = append(conns, slowBody(t, srv.Addr().String()))
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	client := &http.Client{Timeout: 10 * time.Second}
	start := time.Now()
	resp, err := client.Post(srv.URL, "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatalf("a normal request was not served while %d slow bodies were open: %v", len(conns), err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "ok 5" {
		t.Fatalf("answer %q", b)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the normal request took %s", d)
	}
}

func TestASlowClientIsCutAfterTheReadTimeout(t *testing.T) {
	srv, err := Start("127.0.0.1:0", http.HandlerFunc(echoLen), Options{ReadTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	c := slowBody(t, srv.Addr().String())
	defer c.Close()
	start := time.Now()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	// The server gives up on the body: the connection ends (EOF or reset)
	// well before our own five-second deadline.
	_, err = io.ReadAll(bufio.NewReader(c))
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the slow client was not cut within 5 s")
	}
	if d := time.Since(start); d < 150*time.Millisecond || d > 3*time.Second {
		t.Fatalf("cut after %s, want about the 200 ms read timeout", d)
	}
}

func TestSlowHeadersAreCut(t *testing.T) {
	srv, err := Start("127.0.0.1:0", http.HandlerFunc(echoLen), Options{ReadHeaderTimeout: 150 * time.Millisecond, ReadTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	c, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n")
	start := time.Now()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.ReadAll(c)
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("slow headers cut after %s", d)
	}
}

func TestOnlyLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:80"} {
		if _, err := Start(addr, http.NotFoundHandler(), Options{}); err == nil {
			t.Errorf("%s: accepted", addr)
		}
	}
}

func TestDefaults(t *testing.T) {
	s := NewServer(http.NotFoundHandler(), Options{})
	if s.ReadHeaderTimeout != DefaultReadHeaderTimeout || s.ReadTimeout != DefaultReadTimeout ||
		s.WriteTimeout != DefaultWriteTimeout || s.IdleTimeout != DefaultIdleTimeout || s.MaxHeaderBytes != DefaultMaxHeaderBytes {
		t.Fatalf("defaults not applied: %+v", s)
	}
}

func TestTheCapHoldsUnderAFlood(t *testing.T) {
	inner, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := Limit(inner, 3).(*shedListener)
	srv := NewServer(http.HandlerFunc(echoLen), Options{ReadTimeout: 5 * time.Second})
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	var conns []net.Conn
	for range 20 {
		conns = append(conns, slowBody(t, inner.Addr().String()))
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		if n := ln.openConns(); n > 3 {
			t.Fatalf("%d connections open, cap 3", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
