package llmtest

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
)

func postResponses(t *testing.T, url, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(url+"/responses", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// normalizeResponses replaces the fields that vary between runs.
func normalizeResponses(s string) string {
	s = regexp.MustCompile(`"(resp|msg)_llmtest\d+"`).ReplaceAllString(s, `"${1}_ID"`)
	return regexp.MustCompile(`"created_at":\d+`).ReplaceAllString(s, `"created_at":0`)
}

func TestResponsesBytes(t *testing.T) {
	obj := func(status, incomplete, output, tier, usage string) string {
		return `{"id":"resp_ID","object":"response","created_at":0,"status":"` + status + `","background":false,"error":null,"incomplete_details":` + incomplete +
			`,"instructions":"Be brief.","max_output_tokens":null,"max_tool_calls":null,"model":"gpt-4.1-mini","output":[` + output +
			`],"parallel_tool_calls":false,"previous_response_id":null,"prompt_cache_key":"k1","reasoning":{"effort":null,"summary":null},"safety_identifier":null,"service_tier":"` + tier +
			`","store":false,"temperature":1.0,"text":{"format":{"type":"text"},"verbosity":"medium"},"tool_choice":"auto","tools":[],"top_logprobs":0,"top_p":1.0,"truncation":"disabled","usage":` + usage +
			`,"user":null,"metadata":{}}`
	}
	const loc = `"item_id":"msg_ID","output_index":0,"content_index":0`
	const part = `{"type":"output_text","annotations":[],"logprobs":[],"text":"Hi \"there\"\n<é>"}`
	item := func(status, content string) string {
		return `{"id":"msg_ID","type":"message","status":"` + status + `","content":[` + content + `],"role":"assistant"}`
	}
	ev := func(typ, data string) string { return "event: " + typ + "\ndata: " + data + "\n\n" }
	tail := func(seq0 int, status, final, incomplete string) string {
		n := func(i int) string { return itoa(seq0 + i) }
		return ev("response.output_text.done", `{"type":"response.output_text.done","sequence_number":`+n(0)+`,`+loc+`,"text":"Hi \"there\"\n<é>","logprobs":[]}`) +
			ev("response.content_part.done", `{"type":"response.content_part.done","sequence_number":`+n(1)+`,`+loc+`,"part":`+part+`}`) +
			ev("response.output_item.done", `{"type":"response.output_item.done","sequence_number":`+n(2)+`,"output_index":0,"item":`+item(status, part)+`}`) +
			ev(final, `{"type":"`+final+`","sequence_number":`+n(3)+`,"response":`+obj(status, incomplete, item(status, part), "default",
				`{"input_tokens":7,"input_tokens_details":{"cached_tokens":0},"output_tokens":4,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":11}`)+`}`)
	}
	head := ev("response.created", `{"type":"response.created","sequence_number":0,"response":`+obj("in_progress", "null", "", "auto", "null")+`}`) +
		ev("response.in_progress", `{"type":"response.in_progress","sequence_number":1,"response":`+obj("in_progress", "null", "", "auto", "null")+`}`) +
		ev("response.output_item.added", `{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":`+item("in_progress", "")+`}`) +
		ev("response.content_part.added", `{"type":"response.content_part.added","sequence_number":3,`+loc+`,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":""}}`) +
		ev("response.output_text.delta", `{"type":"response.output_text.delta","sequence_number":4,`+loc+`,"delta":"Hi \"there\"\n","logprobs":[],"obfuscation":"5 bytes"}`) +
		ev("response.output_text.delta", `{"type":"response.output_text.delta","sequence_number":5,`+loc+`,"delta":"<é>","logprobs":[],"obfuscation":"12 bytes"}`)
	const body = `{"model":"gpt-4.1-mini","instructions":"Be brief.","input":[{"role":"user","content":[{"type":"input_text","text":"1234567890123456789"}]}],"stream":true,"store":false,"parallel_tool_calls":false,"prompt_cache_key":"k1"}`
	tests := []struct {
		name, finish, want string
	}{
		{"completed", "", head + tail(6, "completed", "response.completed", "null")},
		{"cut at the token limit", "length", head + tail(6, "incomplete", "response.incomplete", `{"reason":"max_output_tokens"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewServer(t, Step{Chunks: []string{"Hi \"there\"\n", "<é>"}, FinishReason: tt.finish})
			resp := postResponses(t, s.URL(), body)
			if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			b, _ := io.ReadAll(resp.Body)
			got := normalizeResponses(string(b))
			// The padding is arbitrary letters and digits; only its length follows OpenAI's rule.
			got = regexp.MustCompile(`"obfuscation":"[A-Za-z0-9]*"`).ReplaceAllStringFunc(got, func(m string) string {
				return `"obfuscation":"` + strconv.Itoa(len(m)-len(`"obfuscation":""`)) + ` bytes"`
			})
			if got != tt.want {
				t.Errorf("body =\n%s\nwant\n%s", got, tt.want)
			}
			if rs := s.Requests(); rs[0].Done.IsZero() || rs[0].Path != "/v1/responses" {
				t.Errorf("request = %s, Done %v; want /v1/responses and a Done time", rs[0].Path, rs[0].Done)
			}
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestResponsesSDK reads the fake's stream through openai-go's Responses client, which fails on
// events it cannot decode, and checks what it accumulates.
func TestResponsesSDK(t *testing.T) {
	s := NewServer(t, Step{Chunks: Split("*** Begin Patch\n*** End Patch\n", 5), Usage: &Usage{PromptTokens: 120, CachedTokens: 100, CompletionTokens: 9}})
	svc := responses.NewResponseService(option.WithBaseURL(s.URL()), option.WithAPIKey("sk-test"), option.WithMaxRetries(0))
	stream := svc.NewStreaming(context.Background(), responses.ResponseNewParams{
		Model:        "gpt-4.1-mini",
		Instructions: openai.String("Edit."),
		Input:        responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")},
	})
	var text strings.Builder
	var types []string
	var final responses.Response
	for stream.Next() {
		e := stream.Current()
		types = append(types, e.Type)
		switch e.Type {
		case "response.output_text.delta":
			text.WriteString(e.Delta)
		case "response.completed":
			final = e.Response
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("stream: %v", err)
	}
	if text.String() != "*** Begin Patch\n*** End Patch\n" || final.OutputText() != text.String() {
		t.Errorf("deltas = %q, completed output %q", text.String(), final.OutputText())
	}
	if u := final.Usage; u.InputTokens != 120 || u.InputTokensDetails.CachedTokens != 100 || u.OutputTokens != 9 || u.TotalTokens != 129 {
		t.Errorf("usage = %+v", u)
	}
	if final.Status != "completed" || final.Model != "gpt-4.1-mini" || final.Instructions.OfString != "Edit." {
		t.Errorf("completed response: status %q, model %q, instructions %+v", final.Status, final.Model, final.Instructions)
	}
	want := "response.created response.in_progress response.output_item.added response.content_part.added " +
		strings.Repeat("response.output_text.delta ", 6) +
		"response.output_text.done response.content_part.done response.output_item.done response.completed"
	if got := strings.Join(types, " "); got != want {
		t.Errorf("events = %s\nwant %s", got, want)
	}
}

func TestResponsesDropHangAndErrors(t *testing.T) {
	s := NewServer(t,
		Step{Chunks: []string{"a", "b", "c"}, DropAfter: 2},
		Step{Chunks: []string{"a", "b"}, HangAfter: 1},
		Step{Status: 429, RetryAfter: "1"},
	)
	body := `{"model":"m","stream":true,"input":"x"}`
	b, err := io.ReadAll(postResponses(t, s.URL(), body).Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) || strings.Count(string(b), "response.output_text.delta\n") != 2 || strings.Contains(string(b), "response.completed") {
		t.Errorf("DropAfter 2: read %q, %v; want 2 deltas then unexpected EOF", b, err)
	}
	r := bufio.NewReader(postResponses(t, s.URL(), body).Body)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("HangAfter 1: %v", err)
		}
		if strings.HasPrefix(line, "event: response.output_text.delta") {
			break
		}
	}
	resp := postResponses(t, s.URL(), body)
	if eb, _ := io.ReadAll(resp.Body); resp.StatusCode != 429 || !strings.Contains(string(eb), "rate_limit_exceeded") {
		t.Errorf("429 step: %d %s", resp.StatusCode, eb)
	}
	rs := s.Requests()
	if !rs[0].Done.IsZero() || !rs[1].Done.IsZero() {
		t.Errorf("incomplete streams recorded as done: %v, %v", rs[0].Done, rs[1].Done)
	}
}
