package llm

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
)

func TestStreamConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	for _, retries := range []int{-1, 0} {
		c := New(Config{BaseURL: "http://" + addr + "/v1", Model: "m", MaxRetries: retries})
		start := time.Now()
		_, err := c.Stream(context.Background(), userMsg("x"), func(string) error { return nil })
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindConnect {
			t.Fatalf("Stream to a closed port = %v, want a KindConnect *Error", err)
		}
		if want := "model server " + addr + " refused the connection"; err.Error() != want {
			t.Errorf("Error() = %q, want %q", err.Error(), want)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Stream with MaxRetries %d took %v", retries, d)
		}
	}
}

func TestStreamBadBaseURL(t *testing.T) {
	for _, u := range []string{"localhost:11434", "ftp://x/v1", "http://[::1"} {
		_, err := New(Config{BaseURL: u, Model: "m"}).Stream(context.Background(), userMsg("x"), nil)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindConnect || !strings.Contains(err.Error(), "base url") {
			t.Errorf("Stream with base URL %q = %v, want a KindConnect error about the base url", u, err)
		}
	}
}

func TestTLSUntrusted(t *testing.T) {
	srv := llmtest.NewTLSServer(t)
	c := newTestClient(srv) // system roots do not include the test certificate
	c.Predial()
	_, err := c.Stream(context.Background(), userMsg("x"), func(string) error { return nil })
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindConnect || !strings.Contains(err.Error(), "tls handshake failed") {
		t.Fatalf("Stream to an untrusted server = %v, want KindConnect tls handshake failed", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("server saw %d requests", n)
	}
}

func TestHTTPSToPlainServer(t *testing.T) {
	srv := llmtest.NewServer(t)
	c := newTestClient(srv, func(c *Config) { c.BaseURL = strings.Replace(srv.URL(), "http://", "https://", 1) })
	_, err := c.Stream(context.Background(), userMsg("x"), nil)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindConnect || !strings.Contains(err.Error(), "does not speak tls") || !strings.Contains(e.Hint, "http://") {
		t.Fatalf("Stream over https to a plain server = %v (hint %q), want KindConnect naming tls", err, e.Hint)
	}
}

func TestDropHTTP2(t *testing.T) {
	srv := llmtest.NewTLSServer(t, llmtest.Step{Chunks: []string{"a", "b", "c"}, DropAfter: 2})
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	res, err := newTestClient(srv, func(c *Config) { c.RootCAs = pool }).Stream(context.Background(), userMsg("x"), nil)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindDropped || res.Text != "ab" {
		t.Fatalf("Stream over HTTP/2 reset mid-stream = %q, %v; want ab and KindDropped", res.Text, err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1 (no retry after the stream began)", n)
	}
}
