package llm

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
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

// TestRedirectStaysOnOrigin: a redirect within the base URL's origin is followed, as openai-go
// follows it; one to another origin is refused, so the key never reaches another host.
func TestRedirectStaysOnOrigin(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Step{Chunks: []string{"ok"}})
	target, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/moved/chat/completions", http.StatusTemporaryRedirect)
	})
	mux.Handle("/moved/", http.StripPrefix("/moved", httputil.NewSingleHostReverseProxy(target)))
	mux.HandleFunc("/away/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/v1/chat/completions", http.StatusTemporaryRedirect)
	})
	front := httptest.NewServer(mux)
	defer front.Close()

	for _, tc := range []struct {
		path    string
		wantErr bool
	}{
		{"/v1", false},
		{"/away", true},
	} {
		c := New(Config{BaseURL: front.URL + tc.path, APIKey: "sk-secret", Model: "m", MaxRetries: -1})
		res, err := c.Stream(context.Background(), userMsg("x"), nil)
		var e *Error
		switch {
		case tc.wantErr && (!errors.As(err, &e) || e.Kind != KindConnect || !strings.Contains(err.Error(), "redirect")):
			t.Errorf("Stream via %s = %v, want a KindConnect error about the redirect", tc.path, err)
		case !tc.wantErr && (err != nil || res.Text != "ok"):
			t.Errorf("Stream via %s = %q, %v; want ok", tc.path, res.Text, err)
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the other origin got %d requests, want 0", n)
	}
	if rs := srv.Requests(); len(rs) != 1 || rs[0].Header.Get("Authorization") != "Bearer sk-secret" {
		t.Errorf("the server behind the same-origin redirect got %d requests (%v), want 1 with the key", len(rs), rs)
	}
}
