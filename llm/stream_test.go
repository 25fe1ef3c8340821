package llm

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
)

// newTestClient returns a client for srv with short timeouts suited to tests.
func newTestClient(srv *llmtest.Server, mod ...func(*Config)) *Client {
	cfg := Config{BaseURL: srv.URL(), Model: "gpt-test", StallTimeout: 5 * time.Second}
	for _, m := range mod {
		m(&cfg)
	}
	return New(cfg)
}

func userMsg(s string) Request {
	return Request{Messages: []Message{{Role: "system", Content: "be brief"}, {Role: "user", Content: s}}}
}

func TestStreamSuccess(t *testing.T) {
	chunks := []string{"Hel", "lo", ", wor", "ld", "\n", "ünï\"code\""}
	srv := llmtest.NewServer(t, llmtest.Step{
		Chunks:     chunks,
		FirstDelay: 20 * time.Millisecond,
		Usage: &llmtest.Usage{PromptTokens: 120, CompletionTokens: 7, CachedTokens: 64,
			AcceptedPredictionTokens: 5, RejectedPredictionTokens: 2},
	})
	var got []string
	res, err := newTestClient(srv).Stream(context.Background(), userMsg("hi"), func(d string) error {
		got = append(got, d)
		return nil
	})
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	if !reflect.DeepEqual(got, chunks) {
		t.Errorf("deltas = %q, want %q", got, chunks)
	}
	if want := strings.Join(chunks, ""); res.Text != want {
		t.Errorf("Text = %q, want %q", res.Text, want)
	}
	if res.FinishReason != "stop" {
		t.Errorf("FinishReason = %q, want stop", res.FinishReason)
	}
	wantUsage := Usage{PromptTokens: 120, CompletionTokens: 7, CachedTokens: 64, AcceptedPredictionTokens: 5, RejectedPredictionTokens: 2}
	if res.Usage != wantUsage {
		t.Errorf("Usage = %+v, want %+v", res.Usage, wantUsage)
	}
	if res.TimeToFirstToken < 20*time.Millisecond || res.TimeToFirstToken > res.Duration {
		t.Errorf("TimeToFirstToken = %v, want ≥ 20ms and ≤ Duration %v", res.TimeToFirstToken, res.Duration)
	}
}

func TestStreamRequestBody(t *testing.T) {
	temp := 0.25
	tests := []struct {
		name string
		req  Request
		want map[string]any // fields that must be present with these values
		nope []string       // fields that must be absent
	}{
		{
			name: "minimal",
			req:  userMsg("fix it"),
			want: map[string]any{
				"model":          "gpt-test",
				"stream":         true,
				"stream_options": map[string]any{"include_usage": true},
				"messages": []any{
					map[string]any{"role": "system", "content": "be brief"},
					map[string]any{"role": "user", "content": "fix it"},
				},
			},
			nope: []string{"max_completion_tokens", "max_tokens", "temperature", "prediction"},
		},
		{
			name: "all options",
			req: Request{
				Messages:    []Message{{Role: "user", Content: "u"}, {Role: "assistant", Content: "a"}, {Role: "user", Content: "again"}},
				MaxTokens:   512,
				Temperature: &temp,
				Prediction:  "package main\n",
			},
			want: map[string]any{
				"max_completion_tokens": 512.0,
				"temperature":           0.25,
				"prediction":            map[string]any{"type": "content", "content": "package main\n"},
				"messages": []any{
					map[string]any{"role": "user", "content": "u"},
					map[string]any{"role": "assistant", "content": "a"},
					map[string]any{"role": "user", "content": "again"},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, llmtest.Step{Chunks: []string{"ok"}})
			if _, err := newTestClient(srv).Stream(context.Background(), tt.req, func(string) error { return nil }); err != nil {
				t.Fatalf("Stream: %v", err)
			}
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("server saw %d requests, want 1", len(reqs))
			}
			body := reqs[0].JSON
			for k, v := range tt.want {
				if !reflect.DeepEqual(body[k], v) {
					t.Errorf("body[%q] = %#v, want %#v", k, body[k], v)
				}
			}
			for _, k := range tt.nope {
				if _, ok := body[k]; ok {
					t.Errorf("body has %q = %#v, want it absent", k, body[k])
				}
			}
			if reqs[0].Path != "/v1/chat/completions" {
				t.Errorf("path = %q, want /v1/chat/completions", reqs[0].Path)
			}
			if h := reqs[0].Header.Get("Authorization"); h != "" {
				t.Errorf("Authorization = %q with an empty API key, want none", h)
			}
		})
	}
}

func TestStreamAPIKeyAndBaseURLWithoutV1(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Step{Chunks: []string{"ok"}})
	c := newTestClient(srv, func(c *Config) {
		c.BaseURL = strings.TrimSuffix(srv.URL(), "/v1")
		c.APIKey = "sk-test"
	})
	if _, err := c.Stream(context.Background(), userMsg("x"), func(string) error { return nil }); err != nil {
		t.Fatalf("Stream: %v", err)
	}
	r := srv.Requests()[0]
	if r.Path != "/chat/completions" {
		t.Errorf("path = %q, want /chat/completions (base URL used as given)", r.Path)
	}
	if h := r.Header.Get("Authorization"); h != "Bearer sk-test" {
		t.Errorf("Authorization = %q, want %q", h, "Bearer sk-test")
	}
}

func TestStreamWithoutUsage(t *testing.T) {
	// A server that ignores include_usage (older ollama) still completes.
	srv := llmtest.NewServer(t, llmtest.Step{Raw: "data: " + chunkJSON(`{"content":"hi"}`, "null") + "\n\n" +
		"data: " + chunkJSON(`{}`, `"stop"`) + "\n\ndata: [DONE]\n\n"})
	res, err := newTestClient(srv).Stream(context.Background(), userMsg("x"), func(string) error { return nil })
	if err != nil || res.Text != "hi" || res.Usage != (Usage{}) {
		t.Errorf("Stream = %+v, %v; want text hi, zero usage, no error", res, err)
	}
}

func TestStreamUnknownRole(t *testing.T) {
	srv := llmtest.NewServer(t)
	_, err := newTestClient(srv).Stream(context.Background(), Request{Messages: []Message{{Role: "tool", Content: "x"}}}, nil)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindBadRequest {
		t.Fatalf("Stream with role tool = %v, want a KindBadRequest *Error", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("server saw %d requests, want 0", n)
	}
}

// chunkJSON builds a minimal chat.completion.chunk with one choice.
func chunkJSON(delta, finish string) string {
	var d map[string]any
	_ = json.Unmarshal([]byte(delta), &d)
	return `{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":` + delta + `,"finish_reason":` + finish + `}]}`
}
