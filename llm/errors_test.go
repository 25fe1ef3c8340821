package llm

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
)

func TestStreamErrors(t *testing.T) {
	tests := []struct {
		name     string
		steps    []llmtest.Step
		retries  int
		stall    time.Duration
		kind     Kind
		status   int
		contains []string // substrings of Error()
		requests int      // requests the server must see
		text     string   // partial text
	}{
		{
			name:     "401 bad key",
			steps:    []llmtest.Step{{Status: 401}},
			kind:     KindAuth,
			status:   401,
			contains: []string{"model request to 127.0.0.1:", ": 401 unauthorized: Incorrect API key provided: sk-test"},
			requests: 1,
		},
		{
			name:     "403",
			steps:    []llmtest.Step{{Status: 403}},
			kind:     KindAuth,
			status:   403,
			contains: []string{"403 forbidden: Project does not have access to model `gpt-test`"},
			requests: 1,
		},
		{
			name:     "404 unknown model",
			steps:    []llmtest.Step{{Status: 404}},
			kind:     KindNotFound,
			status:   404,
			contains: []string{"404 not found: The model `gpt-test` does not exist or you do not have access to it"},
			requests: 1,
		},
		{
			name:     "400",
			steps:    []llmtest.Step{{Status: 400, ErrorBody: `{"error":{"message":"Unsupported parameter: 'max_tokens'.","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}}`}},
			kind:     KindBadRequest,
			status:   400,
			contains: []string{"400 bad request: Unsupported parameter: 'max_tokens'"},
			requests: 1,
		},
		{
			name:     "422",
			steps:    []llmtest.Step{{Status: 422}},
			kind:     KindBadRequest,
			status:   422,
			requests: 1,
		},
		{
			name:     "503 until the retries are exhausted",
			steps:    []llmtest.Step{{Status: 503}, {Status: 503}, {Status: 503}},
			kind:     KindServer,
			status:   503,
			contains: []string{"503 service unavailable: The server is overloaded or not ready yet"},
			requests: 3,
		},
		{
			name:     "500 without retries",
			steps:    []llmtest.Step{{Status: 500}},
			retries:  -1,
			kind:     KindServer,
			status:   500,
			requests: 1,
		},
		{
			name:     "429 asking for longer than the cap is not retried",
			steps:    []llmtest.Step{{Status: 429, RetryAfter: "30"}},
			kind:     KindRateLimit,
			status:   429,
			contains: []string{"429 too many requests: Rate limit reached for gpt-test"},
			requests: 1,
		},
		{
			name:     "ollama error body",
			steps:    []llmtest.Step{{Status: 404, ErrorBody: `{"error":"model \"qwen9\" not found, try pulling it first"}`}},
			kind:     KindNotFound,
			contains: []string{`404 not found: model "qwen9" not found, try pulling it first`},
			requests: 1,
		},
		{
			name:     "vllm error body",
			steps:    []llmtest.Step{{Status: 404, ErrorBody: `{"object":"error","message":"The model ` + "`x`" + ` does not exist.","type":"NotFoundError","param":null,"code":404}`}},
			kind:     KindNotFound,
			contains: []string{"404 not found: The model `x` does not exist"},
			requests: 1,
		},
		{
			name:     "proxy html page",
			steps:    []llmtest.Step{{Status: 502, ErrorBody: "<html><body>Bad Gateway</body></html>"}},
			retries:  -1,
			kind:     KindServer,
			contains: []string{"502 bad gateway"},
			requests: 1,
		},
		{
			name:     "drop mid-stream is not retried",
			steps:    []llmtest.Step{{Chunks: []string{"one ", "two ", "three"}, DropAfter: 2}, {Chunks: []string{"never"}}},
			kind:     KindDropped,
			contains: []string{"model stream from 127.0.0.1:", " dropped after "},
			requests: 1,
			text:     "one two ",
		},
		{
			name:     "hang mid-stream",
			steps:    []llmtest.Step{{Chunks: []string{"one ", "two ", "three"}, HangAfter: 2}},
			stall:    150 * time.Millisecond,
			kind:     KindStalled,
			contains: []string{"stalled: no data for 150ms"},
			requests: 1,
			text:     "one two ",
		},
		{
			name:     "no first token",
			steps:    []llmtest.Step{{Chunks: []string{"late"}, FirstDelay: 5 * time.Second}},
			stall:    150 * time.Millisecond,
			kind:     KindStalled,
			contains: []string{"stalled: no data for 150ms"},
			requests: 1,
		},
		{
			name:     "token limit",
			steps:    []llmtest.Step{{Chunks: []string{"cut ", "here"}, FinishReason: "length"}},
			kind:     KindLength,
			contains: []string{"model reply cut at the token limit (finish_reason=length)"},
			requests: 1,
			text:     "cut here",
		},
		{
			name:     "not sse",
			steps:    []llmtest.Step{{Raw: "hello, this is not an event stream\n"}},
			kind:     KindProtocol,
			contains: []string{"not an openai event stream (content-type text/event-stream; charset=utf-8, 35 bytes)"},
			requests: 1,
		},
		{
			name:     "invalid json",
			steps:    []llmtest.Step{{Raw: "data: {\"id\": nope}\n\n"}},
			kind:     KindProtocol,
			contains: []string{"invalid chunk: invalid character"},
			requests: 1,
		},
		{
			name:     "error event mid-stream",
			steps:    []llmtest.Step{{Raw: "data: " + chunkJSON(`{"content":"par"}`, "null") + "\n\ndata: {\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\"}}\n\n"}},
			kind:     KindServer,
			contains: []string{"server error: The server had an error while processing your request"},
			requests: 1,
			text:     "par",
		},
		{
			name: "error object mid-stream",
			steps: []llmtest.Step{{Raw: "data: " + chunkJSON(`{"content":"par"}`, "null") + "\n\n" +
				"data: {\"object\":\"error\",\"message\":\"GPU memory exhausted while decoding\",\"type\":\"InternalServerError\",\"code\":500}\n\ndata: [DONE]\n\n"}},
			kind:     KindServer,
			contains: []string{"server error: GPU memory exhausted while decoding"},
			requests: 1,
			text:     "par",
		},
		{
			name:     "clean end without finish_reason",
			steps:    []llmtest.Step{{Raw: "data: " + chunkJSON(`{"content":"par"}`, "null") + "\n\n"}},
			kind:     KindDropped,
			requests: 1,
			text:     "par",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, tt.steps...)
			c := newTestClient(srv, func(c *Config) {
				c.MaxRetries = tt.retries
				if tt.stall > 0 {
					c.StallTimeout = tt.stall
				}
			})
			start := time.Now()
			res, err := c.Stream(context.Background(), userMsg("x"), func(string) error { return nil })
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Stream error = %v (%T), want *Error", err, err)
			}
			if e.Kind != tt.kind {
				t.Errorf("Kind = %v, want %v (%v)", e.Kind, tt.kind, err)
			}
			if tt.status != 0 && e.Status != tt.status {
				t.Errorf("Status = %d, want %d", e.Status, tt.status)
			}
			msg := err.Error()
			t.Logf("%v: %s [hint: %s]", e.Kind, msg, e.Hint)
			for _, s := range tt.contains {
				if !strings.Contains(msg, s) {
					t.Errorf("Error() = %q, want it to contain %q", msg, s)
				}
			}
			if strings.ContainsAny(msg, "\n") || strings.HasSuffix(msg, ".") {
				t.Errorf("Error() = %q, want one line without trailing punctuation", msg)
			}
			if n := len(srv.Requests()); n != tt.requests {
				t.Errorf("server saw %d requests, want %d", n, tt.requests)
			}
			if res.Text != tt.text {
				t.Errorf("Text = %q, want %q", res.Text, tt.text)
			}
			if tt.stall > 0 && time.Since(start) > 10*tt.stall+time.Second {
				t.Errorf("Stream took %v with StallTimeout %v", time.Since(start), tt.stall)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		e    *Error
		want string
	}{
		{&Error{Kind: KindAuth, Status: 401, Host: "127.0.0.1:8080", Message: "invalid api key"}, "model request to 127.0.0.1:8080: 401 unauthorized: invalid api key"},
		{&Error{Kind: KindConnect, Host: "127.0.0.1:11434"}, "model server 127.0.0.1:11434 refused the connection"},
		{&Error{Kind: KindStalled, Host: "api.openai.com", Status: 200, stall: time.Minute}, "model stream from api.openai.com stalled: no data for 60s"},
		{&Error{Kind: KindStalled, Host: "api.openai.com", stall: time.Minute}, "model server api.openai.com stalled: no response for 60s"},
		{&Error{Kind: KindDropped, Host: "x", bytes: 1532}, "model stream from x dropped after 1532 bytes"},
		{&Error{Kind: KindLength}, "model reply cut at the token limit (finish_reason=length)"},
		{&Error{Kind: KindServer, Status: 500, Host: "h", Message: "line one.\nline two.  "}, "model request to h: 500 internal server error: line one. line two"},
		{&Error{Kind: KindServer, Status: 500, Host: "h", Message: strings.Repeat("x", 300)}, "model request to h: 500 internal server error: " + strings.Repeat("x", maxMessage) + "…"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	if s := KindRateLimit.String(); s != "rate limit" {
		t.Errorf("KindRateLimit.String() = %q", s)
	}
}
