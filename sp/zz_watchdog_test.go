package sp

import (
	"context"
	"net/url"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

func FuzzWatchdog(f *testing.F) {
	e := newEnv(f, ProfileStrict)
	started := e.start()
	valid := e.spec(started).document(f)
	xml, _ := valid.WriteToString()
	_ = xml
	f.Add(wrapResponse(strings.Repeat("<a>", 100)))
	f.Fuzz(func(t *testing.T, s string) {
		done := make(chan struct{})
		go func() {
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				buf := make([]byte, 1<<20)
				n := runtime.Stack(buf, true)
				os.WriteFile("/tmp/hang-stack.txt", buf[:n], 0o644)
				os.WriteFile("/tmp/hang-input.txt", []byte(s), 0o644)
			}
		}()
		body := url.Values{"SAMLResponse": {b64(s)}}.Encode()
		_, _ = e.srv.SignInWithIdp(context.Background(), SignInWithIdpRequest{RequestURI: callback, PostBody: body, SessionID: started.SessionID})
		close(done)
	})
}
