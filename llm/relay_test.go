package llm

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
)

// relayClient is a client as a child process of the session builds it: new for each request.
func relayClient(srv *llmtest.Server, r *Relay, baseURL string) *Client {
	if baseURL == "" {
		baseURL = srv.URL()
	}
	return New(Config{BaseURL: baseURL, APIKey: "sk-child", Model: "gpt-test", MaxRetries: -1,
		StallTimeout: 5 * time.Second, HTTPClient: RelayClient(r.Socket())})
}

func startRelay(t *testing.T, cfg RelayConfig) *Relay {
	t.Helper()
	r, err := ListenRelay(privateTemp(t), cfg)
	if err != nil {
		t.Fatalf("ListenRelay: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestRelayOneConnection(t *testing.T) {
	srv := llmtest.NewServer(t)
	srv.Repeat(llmtest.Step{Chunks: []string{"git ", "status"}})
	r := startRelay(t, RelayConfig{Warm: srv.URL()})
	const n = 20
	for i := 0; i < n; i++ {
		res, err := relayClient(srv, r, "").Stream(context.Background(), userMsg("x"), nil)
		if err != nil || res.Text != "git status" {
			t.Fatalf("request %d through the relay = %q, %v; want git status", i, res.Text, err)
		}
		// Each request comes from a new process, milliseconds after the last one ended; by then
		// the relay has read the end of the reply and pooled the connection.
		waitIdle(t, r)
	}
	if got := srv.Conns(); got != 1 {
		t.Errorf("%d requests through the relay opened %d connections, want 1", n, got)
	}
	reqs := srv.Requests()
	if len(reqs) != n {
		t.Fatalf("server saw %d requests, want %d", len(reqs), n)
	}
	if h := reqs[0].Header; h.Get("Authorization") != "Bearer sk-child" || h.Get(upstreamHeader) != "" {
		t.Errorf("forwarded headers: Authorization %q, %s %q; want the child's key and no relay header",
			h.Get("Authorization"), upstreamHeader, h.Get(upstreamHeader))
	}
}

// waitIdle waits until the relay has finished every request.
func waitIdle(t *testing.T, r *Relay) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r.mu.Lock()
		n := r.active
		r.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("relay still has %d requests in flight", n)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func TestRelayPrivate(t *testing.T) {
	r := startRelay(t, RelayConfig{})
	fi, err := os.Lstat(r.Socket())
	if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode = %v, %v; want a 0600 socket", fi.Mode(), err)
	}
	di, err := os.Stat(filepath.Dir(r.Socket()))
	if err != nil || di.Mode().Perm() != 0o700 {
		t.Errorf("socket directory mode = %v, %v; want 0700", di.Mode(), err)
	}
	if err := CheckRelaySocket(r.Socket()); err != nil {
		t.Errorf("CheckRelaySocket(own socket) = %v", err)
	}
	os.Chmod(filepath.Dir(r.Socket()), 0o755)
	if err := CheckRelaySocket(r.Socket()); err == nil {
		t.Errorf("CheckRelaySocket accepted a socket in a 0755 directory")
	}
	os.Chmod(filepath.Dir(r.Socket()), 0o700)
	plain := filepath.Join(filepath.Dir(r.Socket()), "file")
	os.WriteFile(plain, nil, 0o600)
	if err := CheckRelaySocket(plain); err == nil {
		t.Errorf("CheckRelaySocket accepted a regular file")
	}
	r.Close()
	if _, err := os.Stat(filepath.Dir(r.Socket())); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Close the relay directory is still there: %v", err)
	}
}

func TestRelayRemovesStale(t *testing.T) {
	parent := privateTemp(t)
	// A pid far above pid_max belongs to no process.
	stale := filepath.Join(parent, relayDirPrefix+"99999999-abcd")
	os.Mkdir(stale, 0o700)
	r, err := ListenRelay(parent, RelayConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale relay directory left: %v", err)
	}
}

func TestRelayUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	srv := llmtest.NewServer(t)
	r := startRelay(t, RelayConfig{Warm: "http://" + addr + "/v1"})
	_, err = relayClient(srv, r, "http://"+addr+"/v1").Stream(context.Background(), userMsg("x"), nil)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindConnect {
		t.Fatalf("Stream through the relay to a closed port = %v, want KindConnect", err)
	}
	if want := "model server " + addr + " refused the connection"; err.Error() != want {
		t.Errorf("Error() = %q, want %q (as without the relay)", err.Error(), want)
	}
}

func TestRelayGoneFallsBack(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Step{Chunks: []string{"ok"}})
	r := startRelay(t, RelayConfig{})
	r.Close()
	res, err := relayClient(srv, r, "").Stream(context.Background(), userMsg("x"), nil)
	if err != nil || res.Text != "ok" {
		t.Fatalf("Stream with the relay gone = %q, %v; want ok, sent directly", res.Text, err)
	}
}

func TestRelayCancelReachesServer(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Step{Chunks: []string{"a", "b", "c"}, HangAfter: 1},
		llmtest.Step{Chunks: []string{"next"}})
	r := startRelay(t, RelayConfig{Warm: srv.URL()})
	ctx, cancel := context.WithCancel(context.Background())
	_, err := relayClient(srv, r, "").Stream(ctx, userMsg("x"), func(string) error {
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Stream = %v, want context.Canceled", err)
	}
	if _, ok := srv.WaitDisconnect(0, 30*time.Second); !ok {
		t.Fatal("the server never saw the client go away through the relay")
	}
	res, err := relayClient(srv, r, "").Stream(context.Background(), userMsg("x"), nil)
	if err != nil || res.Text != "next" {
		t.Fatalf("request after a cancelled one = %q, %v", res.Text, err)
	}
}

func TestRelayRewarms(t *testing.T) {
	srv := llmtest.NewServer(t)
	srv.Repeat(llmtest.Step{Chunks: []string{"ok"}})
	r := startRelay(t, RelayConfig{Warm: srv.URL(), RewarmAfter: 40 * time.Millisecond, KeepWarm: time.Minute})
	if _, err := relayClient(srv, r, "").Stream(context.Background(), userMsg("x"), nil); err != nil {
		t.Fatal(err)
	}
	// Idle for longer than RewarmAfter: a fresh connection is dialed without any request.
	deadline := time.Now().Add(30 * time.Second)
	for srv.Conns() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("no new connection after idling; server saw %d", srv.Conns())
		}
		time.Sleep(5 * time.Millisecond)
	}
	conns := srv.Conns()
	if _, err := relayClient(srv, r, "").Stream(context.Background(), userMsg("x"), nil); err != nil {
		t.Fatal(err)
	}
	if got := srv.Conns(); got > conns+1 {
		t.Errorf("the request after re-warming opened %d connections", got-conns)
	}
}

func TestRelayStopsWarmingWhenIdle(t *testing.T) {
	srv := llmtest.NewServer(t)
	startRelay(t, RelayConfig{Warm: srv.URL(), RewarmAfter: 10 * time.Millisecond, KeepWarm: 35 * time.Millisecond})
	time.Sleep(200 * time.Millisecond)
	if got := srv.Conns(); got > 5 {
		t.Errorf("an idle relay dialed %d times in 200ms; it should stop after KeepWarm", got)
	}
}

func TestRelayRejectsBadUpstream(t *testing.T) {
	r := startRelay(t, RelayConfig{})
	for _, up := range []string{"", "ftp://x", "http://user:pw@x"} {
		c := RelayClient(r.Socket()).Transport.(*relayTransport).unix
		req, _ := newRelayRequest(up)
		resp, err := c.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("upstream %q: status %d, want 400", up, resp.StatusCode)
		}
	}
}

func newRelayRequest(upstream string) (*http.Request, error) {
	req, err := http.NewRequest("POST", "http://"+relayHost+"/v1/chat/completions", strings.NewReader("{}"))
	if err == nil && upstream != "" {
		req.Header.Set(upstreamHeader, upstream)
	}
	return req, err
}

// TestListenRelayRefusesSharedParent: a parent directory others can write to (a pre-created
// shared temp directory) is refused rather than trusted.
func TestListenRelayRefusesSharedParent(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(parent, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(parent, 0o777); err != nil {
		t.Fatal(err)
	}
	if r, err := ListenRelay(parent, RelayConfig{}); err == nil {
		r.Close()
		t.Fatalf("ListenRelay(%s, mode 0777) = nil error, want a refusal", parent)
	}
}

// privateTemp is a temporary directory closed to others, as a session directory is.
func privateTemp(t *testing.T) string {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestRelayErrorsAsDirect checks that a failure to reach the host reads the same through the
// relay as without it: the relay classifies it once and the client reports that.
func TestRelayErrorsAsDirect(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/v1"
	l.Close()
	plain := llmtest.NewServer(t)
	untrusted := llmtest.NewTLSServer(t)
	for name, base := range map[string]string{
		"refused":         closed,
		"https to plain":  strings.Replace(plain.URL(), "http://", "https://", 1),
		"untrusted certs": untrusted.URL(),
	} {
		t.Run(name, func(t *testing.T) {
			_, direct := New(Config{BaseURL: base, Model: "gpt-test", MaxRetries: -1}).Stream(context.Background(), userMsg("x"), nil)
			r := startRelay(t, RelayConfig{})
			_, relayed := relayClient(plain, r, base).Stream(context.Background(), userMsg("x"), nil)
			var de, re *Error
			if !errors.As(direct, &de) || !errors.As(relayed, &re) {
				t.Fatalf("Stream(%s) = %v directly, %v through the relay; want *Error both", base, direct, relayed)
			}
			if de.Kind != KindConnect || re.Kind != de.Kind || re.Error() != de.Error() || re.Hint != de.Hint || re.retry != de.retry {
				t.Errorf("through the relay: %v (%v, hint %q, retry %v); directly: %v (%v, hint %q, retry %v)",
					re, re.Kind, re.Hint, re.retry, de, de.Kind, de.Hint, de.retry)
			}
		})
	}
}
