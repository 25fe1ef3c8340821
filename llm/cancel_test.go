package llm

import (
	"context"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
)

// stuckReply sends three chunks and then nothing until the client goes away, so a client
// that waited for the server instead of cancelling at once would wait for its stall timeout.
var stuckReply = llmtest.Step{Chunks: llmtest.Split(strings.Repeat("x", 10), 1), HangAfter: 3}

// Bounds on how soon Stream returns after a cancel and the server sees the client go away.
// The targets are milliseconds, measured by the benchmarks (bench/ and the figures logged
// here); the bounds only tell a cancel that acts from one that waits: they are loose enough for
// slow, race-instrumented machines on busy cores, and far below wrongWait, the stall timeout,
// first-token delay and retry delay that an implementation which waited would sit through.
const (
	returnBound     = 15 * time.Second
	disconnectBound = 20 * time.Second
	wrongWait       = 2 * time.Minute
)

// patientClient is a test client whose stall timeout is wrongWait.
func patientClient(srv *llmtest.Server, mod ...func(*Config)) *Client {
	return newTestClient(srv, append([]func(*Config){func(c *Config) { c.StallTimeout = wrongWait }}, mod...)...)
}

func TestStreamOnDeltaErrorCancels(t *testing.T) {
	srv := llmtest.NewServer(t, stuckReply)
	stop := errors.New("hunk mismatch")
	var n int
	var stopped time.Time
	res, err := patientClient(srv).Stream(context.Background(), userMsg("x"), func(string) error {
		n++
		if n == 3 {
			stopped = time.Now()
			return stop
		}
		return nil
	})
	returned := time.Now()
	if !errors.Is(err, stop) {
		t.Fatalf("Stream error = %v, want the onDelta error", err)
	}
	if len(res.Text) != 3 {
		t.Errorf("Text has %d bytes, want the 3 delivered", len(res.Text))
	}
	if d := returned.Sub(stopped); d > returnBound {
		t.Errorf("Stream returned %v after onDelta failed", d)
	}
	at, ok := srv.WaitDisconnect(0, disconnectBound)
	if !ok {
		t.Fatal("server never saw the client disconnect")
	}
	if d := at.Sub(stopped); d > disconnectBound {
		t.Errorf("server saw the disconnect %v after onDelta failed", d)
	}
	t.Logf("onDelta error → Stream returned in %v, server saw the disconnect in %v", returned.Sub(stopped), at.Sub(stopped))
}

func TestStreamContextCancel(t *testing.T) {
	tests := []struct {
		name   string
		step   llmtest.Step
		after  int           // cancel after this many deltas, or
		delay  time.Duration // after this long
		server bool          // the server is mid-reply and must see the disconnect
		bound  time.Duration // how soon Stream must return after the cancel; returnBound if 0
	}{
		{name: "mid-stream", step: stuckReply, after: 3, server: true},
		{name: "before the first token", step: llmtest.Step{Chunks: []string{"late"}, FirstDelay: wrongWait}, delay: 50 * time.Millisecond, server: true},
		// The longest Retry-After the client honours (maxRetryDelay) is what a waiting
		// implementation would sit through; the bound is below it.
		{name: "during retry backoff", step: llmtest.Step{Status: 429, RetryAfter: "4"}, delay: 100 * time.Millisecond, bound: 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, tt.step, tt.step)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var cancelled time.Time
			if tt.delay > 0 {
				time.AfterFunc(tt.delay, func() { cancelled = time.Now(); cancel() })
			}
			n := 0
			_, err := patientClient(srv).Stream(ctx, userMsg("x"), func(string) error {
				if n++; n == tt.after {
					cancelled = time.Now()
					cancel()
				}
				return nil
			})
			returned := time.Now()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Stream error = %v, want errors.Is(err, context.Canceled)", err)
			}
			bound := tt.bound
			if bound == 0 {
				bound = returnBound
			}
			if d := returned.Sub(cancelled); d > bound {
				t.Errorf("Stream returned %v after the cancel, want at most %v", d, bound)
			}
			if !tt.server {
				return
			}
			at, ok := srv.WaitDisconnect(0, disconnectBound)
			if !ok {
				t.Fatal("server never saw the client disconnect")
			}
			if d := at.Sub(cancelled); d > disconnectBound {
				t.Errorf("server saw the disconnect %v after the cancel", d)
			}
		})
	}
}

func TestStreamStallDisconnects(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Step{Chunks: []string{"a", "b"}, HangAfter: 1})
	_, err := newTestClient(srv, func(c *Config) { c.StallTimeout = 100 * time.Millisecond }).
		Stream(context.Background(), userMsg("x"), func(string) error { return nil })
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindStalled {
		t.Fatalf("Stream = %v, want KindStalled", err)
	}
	if _, ok := srv.WaitDisconnect(0, disconnectBound); !ok {
		t.Error("server never saw the stalled client go away")
	}
}

func TestStreamCancelHTTP2(t *testing.T) {
	srv := llmtest.NewTLSServer(t, stuckReply)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelled time.Time
	n := 0
	_, err := patientClient(srv, func(c *Config) { c.RootCAs = pool }).Stream(ctx, userMsg("x"), func(string) error {
		if n++; n == 3 {
			cancelled = time.Now()
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Stream = %v, want context.Canceled", err)
	}
	if p := srv.Requests()[0].Proto; p != "HTTP/2.0" {
		t.Fatalf("protocol %s, want HTTP/2.0", p)
	}
	at, ok := srv.WaitDisconnect(0, disconnectBound)
	if !ok {
		t.Fatal("server never saw the HTTP/2 stream reset")
	}
	if d := at.Sub(cancelled); d > disconnectBound {
		t.Errorf("server saw the reset %v after the cancel", d)
	}
}

func TestStreamNilOnDelta(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Step{Chunks: []string{"a", "b"}})
	res, err := newTestClient(srv).Stream(context.Background(), userMsg("x"), nil)
	if err != nil || res.Text != "ab" {
		t.Errorf("Stream with nil onDelta = %q, %v; want ab, nil", res.Text, err)
	}
}
