package loopback

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// The client the harness uses checks every redirect it follows, and its
// dialer refuses a non-loopback address before connecting.
func TestLoopbackClientAndDialer(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.RedirectHandler("http://10.1.2.3/", http.StatusFound))
	defer srv.Close()
	_, err := Client(nil, 5*time.Second, true).Get(srv.URL)
	if !IsNotLoopback(err) {
		t.Errorf("following a redirect off loopback: %v", err)
	}
	for addr, ok := range map[string]bool{"127.0.0.1:80": true, "[::1]:80": true, "127.0.0.2:443": true, "10.1.2.3:80": false, "192.168.1.1:80": false, "[2001:db8::1]:80": false} {
		if err := loopbackControl("tcp", addr, nil); (err == nil) != ok {
			t.Errorf("dialer control on %s: %v", addr, err)
		}
	}
}
