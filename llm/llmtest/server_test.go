package llmtest

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func post(t *testing.T, url, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(url+"/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// normalize replaces the fields that vary between runs.
func normalize(s string) string {
	s = regexp.MustCompile(`"id":"chatcmpl-llmtest\d+"`).ReplaceAllString(s, `"id":"chatcmpl-ID"`)
	return regexp.MustCompile(`"created":\d+`).ReplaceAllString(s, `"created":0`)
}

func TestStreamBytes(t *testing.T) {
	const head = `{"id":"chatcmpl-ID","object":"chat.completion.chunk","created":0,"model":"gpt-4o","system_fingerprint":"fp_llmtest","choices":`
	tests := []struct {
		name, body, want string
	}{
		{
			name: "include_usage",
			body: `{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"12345678"}]}`,
			want: "data: " + head + `[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}` + "\n\n" +
				"data: " + head + `[{"index":0,"delta":{"content":"Hi \"there\"\n"},"logprobs":null,"finish_reason":null}],"usage":null}` + "\n\n" +
				"data: " + head + `[{"index":0,"delta":{"content":"<é>"},"logprobs":null,"finish_reason":null}],"usage":null}` + "\n\n" +
				"data: " + head + `[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}` + "\n\n" +
				"data: " + head + `[],"usage":{"prompt_tokens":2,"completion_tokens":4,"total_tokens":6,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}` + "\n\n" +
				"data: [DONE]\n\n",
		},
		{
			name: "no usage requested",
			body: `{"model":"gpt-4o","stream":true,"messages":[]}`,
			want: "data: " + head + `[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}` + "\n\n" +
				"data: " + head + `[{"index":0,"delta":{"content":"Hi \"there\"\n"},"logprobs":null,"finish_reason":null}]}` + "\n\n" +
				"data: " + head + `[{"index":0,"delta":{"content":"<é>"},"logprobs":null,"finish_reason":null}]}` + "\n\n" +
				"data: " + head + `[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}` + "\n\n" +
				"data: [DONE]\n\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewServer(t, Step{Chunks: []string{"Hi \"there\"\n", "<é>"}})
			resp := post(t, s.URL(), tt.body)
			if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			b, _ := io.ReadAll(resp.Body)
			if got := normalize(string(b)); got != tt.want {
				t.Errorf("body =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestErrorResponse(t *testing.T) {
	s := NewServer(t, Step{Status: 429, RetryAfter: "2"}, Step{Status: 418, ErrorBody: `{"error":"teapot"}`})
	resp := post(t, s.URL(), `{"model":"gpt-4o","stream":true,"messages":[]}`)
	b, _ := io.ReadAll(resp.Body)
	want := "{\n    \"error\": {\n        \"message\": \"Rate limit reached for gpt-4o in organization org-test on tokens per min (TPM): Limit 30000, Used 30000, Requested 100. Please try again in 1s. Visit https://platform.openai.com/account/rate-limits to learn more.\",\n        \"type\": \"tokens\",\n        \"param\": null,\n        \"code\": \"rate_limit_exceeded\"\n    }\n}\n"
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" || string(b) != want {
		t.Errorf("429 step = %d, Retry-After %q, body\n%s\nwant 429, 2,\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), b, want)
	}
	resp = post(t, s.URL(), `{"model":"gpt-4o","stream":true,"messages":[]}`)
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != 418 || string(b) != `{"error":"teapot"}` {
		t.Errorf("custom error step = %d %s", resp.StatusCode, b)
	}
}

func TestDropAndHang(t *testing.T) {
	s := NewServer(t, Step{Chunks: []string{"a", "b", "c"}, DropAfter: 2}, Step{Chunks: []string{"a", "b"}, HangAfter: 1})
	resp := post(t, s.URL(), `{"model":"m","stream":true,"messages":[]}`)
	b, err := io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) || strings.Count(string(b), "data: ") != 3 || strings.Contains(string(b), "[DONE]") {
		t.Errorf("DropAfter 2: read %q, %v; want role + 2 chunks then unexpected EOF", b, err)
	}

	resp = post(t, s.URL(), `{"model":"m","stream":true,"messages":[]}`)
	r := bufio.NewReader(resp.Body)
	for i := 0; i < 4; i++ { // role chunk, blank, content chunk, blank
		if _, err := r.ReadString('\n'); err != nil {
			t.Fatalf("HangAfter 1: %v", err)
		}
	}
	closed := time.Now()
	resp.Body.Close()
	at, ok := s.WaitDisconnect(1, 2*time.Second)
	if !ok || at.Before(closed) {
		t.Errorf("WaitDisconnect = %v, %v; want a time after the client closed", at, ok)
	}
	if rs := s.Requests(); !rs[0].Disconnected.IsZero() {
		t.Errorf("a dropped reply was recorded as a client disconnect at %v", rs[0].Disconnected)
	}
}

func TestCloseEndsHangingReplies(t *testing.T) {
	s, _ := Start(Step{Chunks: []string{"a"}, HangAfter: 1})
	resp, err := http.Post(s.URL()+"/chat/completions", "application/json", strings.NewReader(`{"model":"m","stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Close hung on a hanging reply")
	}
	s.Close()
}

// recorder is a testing.TB that records Errorf calls instead of failing.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func TestUnexpectedRequests(t *testing.T) {
	rec := &recorder{TB: t}
	s := NewServer(rec, Step{Chunks: []string{"a"}})
	post(t, s.URL(), `{"model":"m","stream":true}`).Body.Close()
	if resp := post(t, s.URL(), `{"model":"m","stream":true}`); resp.StatusCode != 500 {
		t.Errorf("request beyond the script: status %d, want 500", resp.StatusCode)
	}
	if resp, err := http.Get(s.URL() + "/models"); err != nil || resp.StatusCode != 500 {
		t.Errorf("GET /v1/models: %v, want status 500", err)
	}
	if len(rec.errs) != 2 {
		t.Errorf("test errors = %q, want 2", rec.errs)
	}
	reqs := s.Requests()
	if len(reqs) != 3 || reqs[0].Step != 0 || reqs[1].Unexpected == "" || reqs[2].Unexpected == "" {
		t.Errorf("Requests() = %+v", reqs)
	}

	s2, _ := Start()
	defer s2.Close()
	s2.Append(Step{Chunks: []string{"x"}})
	s2.Repeat(Step{Status: 503})
	for i, want := range []int{200, 503, 503} {
		resp := post(t, s2.URL(), `{"model":"m","stream":true}`)
		io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != want {
			t.Errorf("request %d: status %d, want %d", i, resp.StatusCode, want)
		}
		if a := <-s2.Arrived(); a.Step != i {
			t.Errorf("Arrived() step = %d, want %d", a.Step, i)
		}
	}
	if n := s2.Conns(); n != 1 {
		t.Errorf("Conns() = %d for three keep-alive requests, want 1", n)
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		text string
		n    int
		want []string
	}{
		{"", 4, nil},
		{"abcdef", 4, []string{"abcd", "ef"}},
		{"héllo wörld", 3, []string{"hél", "lo ", "wör", "ld"}},
		{"ab", 0, []string{"a", "b"}},
	}
	for _, tt := range tests {
		if got := Split(tt.text, tt.n); fmt.Sprint(got) != fmt.Sprint(tt.want) || len(got) != len(tt.want) {
			t.Errorf("Split(%q, %d) = %q, want %q", tt.text, tt.n, got, tt.want)
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", "quote \" backslash \\ slash /", "\n\r\t\b\f\x00\x1f", "<html> & é 世界 😀", "bad \xff utf8", "\u2028"} {
		b := appendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Errorf("appendJSONString(%q) = %s: %v", s, b, err)
			continue
		}
		if want := strings.ToValidUTF8(s, "\ufffd"); got != want {
			t.Errorf("appendJSONString(%q) = %s, decodes to %q", s, b, got)
		}
	}
	if b := appendJSONString(nil, "<é>"); string(b) != `"<é>"` {
		t.Errorf("appendJSONString(<é>) = %s, want UTF-8 and no HTML escapes as OpenAI sends", b)
	}
}

func TestDoneTime(t *testing.T) {
	s := NewServer(t, Step{Chunks: []string{"a", "b"}}, Step{Chunks: []string{"a", "b", "c"}, DropAfter: 1})
	before := time.Now()
	resp := post(t, s.URL(), `{"model":"m","stream":true,"messages":[]}`)
	io.ReadAll(resp.Body)
	resp = post(t, s.URL(), `{"model":"m","stream":true,"messages":[]}`)
	io.ReadAll(resp.Body)
	rs := s.Requests()
	if rs[0].Done.Before(before) || rs[0].Done.Before(rs[0].Arrived) {
		t.Errorf("complete stream: Done = %v, want a time after the request arrived (%v)", rs[0].Done, rs[0].Arrived)
	}
	if !rs[1].Done.IsZero() {
		t.Errorf("dropped stream: Done = %v, want zero", rs[1].Done)
	}
}
