package llm

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
)

func TestStreamRetriesThenSucceeds(t *testing.T) {
	tests := []struct {
		name    string
		first   llmtest.Step
		minWait time.Duration
	}{
		{"429 with Retry-After", llmtest.Step{Status: 429, RetryAfter: "1"}, time.Second},
		{"500", llmtest.Step{Status: 500}, firstRetryDelay * 3 / 4},
		{"502 html", llmtest.Step{Status: 502, ErrorBody: "<html>bad gateway</html>"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, tt.first, llmtest.Step{Chunks: []string{"fine"}})
			start := time.Now()
			res, err := newTestClient(srv).Stream(context.Background(), userMsg("x"), func(string) error { return nil })
			if err != nil || res.Text != "fine" {
				t.Fatalf("Stream = %q, %v; want fine, nil", res.Text, err)
			}
			reqs := srv.Requests()
			if len(reqs) != 2 {
				t.Fatalf("server saw %d requests, want 2", len(reqs))
			}
			if wait := reqs[1].Arrived.Sub(reqs[0].Arrived); wait < tt.minWait || wait > tt.minWait+2*time.Second {
				t.Errorf("retry came after %v, want about %v", wait, tt.minWait)
			}
			if d := time.Since(start); d > 4*time.Second {
				t.Errorf("Stream took %v", d)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		h    http.Header
		want time.Duration
		ok   bool
	}{
		{http.Header{}, 0, false},
		{http.Header{"Retry-After": {"2"}}, 2 * time.Second, true},
		{http.Header{"Retry-After": {"0.5"}}, 500 * time.Millisecond, true},
		{http.Header{"Retry-After-Ms": {"120"}, "Retry-After": {"9"}}, 120 * time.Millisecond, true},
		{http.Header{"Retry-After": {"soon"}}, 0, false},
		{http.Header{"Retry-After": {"1e300"}}, 1<<63 - 1, true},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.h)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%v) = %v, %v; want %v, %v", tt.h, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRetryDelay(t *testing.T) {
	for attempt, want := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond} {
		d, ok := retryDelay(&Error{}, attempt)
		if !ok || d > want || d < want*3/4 {
			t.Errorf("retryDelay(attempt %d) = %v, %v; want %v less up to 25%% jitter", attempt, d, ok, want)
		}
	}
	if d, ok := retryDelay(&Error{}, 40); !ok || d > maxRetryDelay {
		t.Errorf("retryDelay(attempt 40) = %v, %v; want at most %v", d, ok, maxRetryDelay)
	}
	if d, ok := retryDelay(&Error{retryAfter: 1500 * time.Millisecond, retryAfterSet: true}, 0); !ok || d != 1500*time.Millisecond {
		t.Errorf("retryDelay(Retry-After 1.5s) = %v, %v; want 1.5s, true", d, ok)
	}
	if _, ok := retryDelay(&Error{retryAfter: time.Minute, retryAfterSet: true}, 0); ok {
		t.Errorf("retryDelay(Retry-After 60s) allows a retry; want none beyond %v", maxRetryDelay)
	}
}
