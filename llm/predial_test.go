package llm

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
)

// waitConns waits until srv has accepted n connections.
func waitConns(t *testing.T, srv *llmtest.Server, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for srv.Conns() < n {
		if time.Now().After(deadline) {
			t.Fatalf("server accepted %d connections, want %d", srv.Conns(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitPredial waits until the client's pending pre-dial has finished.
func waitPredial(t testing.TB, c *Client) {
	t.Helper()
	c.predialer.mu.Lock()
	var pcs []*pendingConn
	for _, pc := range c.predialer.pending {
		pcs = append(pcs, pc)
	}
	c.predialer.mu.Unlock()
	if len(pcs) == 0 {
		t.Fatal("no pre-dial pending")
	}
	for _, pc := range pcs {
		<-pc.done
	}
}

func TestPredialHTTPUsesOneConnection(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Step{Chunks: []string{"a"}}, llmtest.Step{Chunks: []string{"b"}})
	c := newTestClient(srv)
	c.Predial()
	c.Predial() // a second call while one is pending does nothing
	waitConns(t, srv, 1)
	for _, want := range []string{"a", "b"} {
		res, err := c.Stream(context.Background(), userMsg("x"), func(string) error { return nil })
		if err != nil || res.Text != want {
			t.Fatalf("Stream = %q, %v; want %q", res.Text, err, want)
		}
		c.drains.Wait() // see TestKeepAlive
	}
	if n := srv.Conns(); n != 1 {
		t.Errorf("server accepted %d connections for Predial and two requests, want 1", n)
	}
}

func TestPredialTLS(t *testing.T) {
	for _, h2 := range []bool{true, false} {
		name := map[bool]string{true: "h2", false: "http1"}[h2]
		t.Run(name, func(t *testing.T) {
			var srv *llmtest.Server
			if h2 {
				srv = llmtest.NewTLSServer(t, llmtest.Step{Chunks: []string{"secure"}})
			} else {
				srv = llmtest.NewTLSServerHTTP1(t, llmtest.Step{Chunks: []string{"secure"}})
			}
			pool := x509.NewCertPool()
			pool.AddCert(srv.Certificate())
			c := newTestClient(srv, func(c *Config) { c.RootCAs = pool })
			c.Predial()
			waitPredial(t, c)
			waitConns(t, srv, 1)
			res, err := c.Stream(context.Background(), userMsg("x"), func(string) error { return nil })
			if err != nil || res.Text != "secure" {
				t.Fatalf("Stream = %q, %v; want secure", res.Text, err)
			}
			if n := srv.Conns(); n != 1 {
				t.Errorf("server accepted %d connections, want 1 (the pre-dialed one)", n)
			}
			wantProto := map[bool]string{true: "HTTP/2.0", false: "HTTP/1.1"}[h2]
			if p := srv.Requests()[0].Proto; p != wantProto {
				t.Errorf("request protocol = %s, want %s", p, wantProto)
			}
		})
	}
}

func TestPredialUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := New(Config{BaseURL: "http://" + addr + "/v1", Model: "m", MaxRetries: -1})
	c.Predial()
	waitPredial(t, c)
	_, err = c.Stream(context.Background(), userMsg("x"), func(string) error { return nil })
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindConnect {
		t.Fatalf("Stream after a failed pre-dial = %v, want KindConnect", err)
	}
}

func TestPredialCustomClientDoesNothing(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Step{Chunks: []string{"a"}})
	c := newTestClient(srv, func(c *Config) { c.HTTPClient = &http.Client{} })
	c.Predial()
	pending := 0
	if c.predialer != nil {
		c.predialer.mu.Lock()
		pending = len(c.predialer.pending)
		c.predialer.mu.Unlock()
	}
	if pending != 0 {
		t.Errorf("Predial with a custom HTTPClient started %d dials", pending)
	}
	if _, err := c.Stream(context.Background(), userMsg("x"), func(string) error { return nil }); err != nil {
		t.Fatalf("Stream with a custom HTTPClient: %v", err)
	}
	// The request's own connection is the only one the server ever saw.
	if n := srv.Conns(); n != 1 {
		t.Errorf("server accepted %d connections, want only the request's", n)
	}
}

func TestPredialClaimCancelled(t *testing.T) {
	// A request whose context ends while the pre-dial is still connecting gives up at once.
	p := newPredialer(nil)
	release := make(chan struct{})
	p.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		<-release
		return nil, errors.New("never mind")
	}
	p.start("http", "192.0.2.1:80")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := p.dialContext(ctx, "tcp", "192.0.2.1:80"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("dialContext = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("dialContext took %v", d)
	}
	close(release)
}

// TestKeepAlive checks that complete replies leave their connection reusable, even when the
// end of the HTTP body trails [DONE] (see watchBody.Close).
func TestKeepAlive(t *testing.T) {
	srv := llmtest.NewServer(t)
	srv.Repeat(llmtest.Step{Chunks: []string{"a", "b"}})
	c := newTestClient(srv)
	for i := 0; i < 100; i++ {
		if _, err := c.Stream(context.Background(), userMsg("x"), func(string) error { return nil }); err != nil {
			t.Fatal(err)
		}
		c.drains.Wait() // requests a person makes are never back to back
	}
	if n := srv.Conns(); n != 1 {
		t.Errorf("server accepted %d connections for 100 sequential requests, want 1", n)
	}
}
