package httpserve

import (
	"container/list"
	"net"
	"sync"
)

// Limit wraps ln so that at most max connections are open at once (0:
// DefaultMaxConns). A connection accepted at the cap closes the oldest open
// one first. golang.org/x/net/netutil.LimitListener instead blocks Accept,
// which leaves a normal request queued behind every slow client until each
// is cut by a timeout.
func Limit(ln net.Listener, max int) net.Listener {
	if max <= 0 {
		max = DefaultMaxConns
	}
	return &shedListener{Listener: ln, max: max, open: list.New()}
}

type shedListener struct {
	net.Listener
	max  int
	mu   sync.Mutex
	open *list.List // of *trackedConn, oldest first
}

func (l *shedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	var victim *trackedConn
	t := &trackedConn{Conn: c, l: l}
	l.mu.Lock()
	if l.open.Len() >= l.max {
		victim = l.open.Front().Value.(*trackedConn)
		l.open.Remove(victim.el)
		victim.el = nil
	}
	t.el = l.open.PushBack(t)
	l.mu.Unlock()
	if victim != nil {
		_ = victim.Conn.Close()
	}
	return t, nil
}

// openConns is how many accepted connections are open.
func (l *shedListener) openConns() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open.Len()
}

type trackedConn struct {
	net.Conn
	l    *shedListener
	el   *list.Element
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		if c.el != nil {
			c.l.open.Remove(c.el)
			c.el = nil
		}
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}
