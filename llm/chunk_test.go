package llm

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/spark-cli/spark/llm/llmtest"
)

// TestRequestMatchesNewStreaming holds openStream to the request that openai-go's own
// ChatCompletionService.NewStreaming sends: same path, headers and body bytes.
func TestRequestMatchesNewStreaming(t *testing.T) {
	temp, tiny, big := 0.5, 1e-7, 1e21
	tricky := "<html> & \"quotes\" \\ / \b\f\n\r\t \x00\x01\x1f\x7f é 世界 😀 \u2028\u2029 bad \xff\xfe utf8"
	for name, req := range map[string]Request{
		"every field":      {Messages: []Message{{Role: "system", Content: "s"}, {Role: "user", Content: "u"}}, MaxTokens: 9, Temperature: &temp, Prediction: "p"},
		"escaping":         {Messages: []Message{{Role: "system", Content: tricky}, {Role: "developer", Content: ""}, {Role: "user", Content: tricky}, {Role: "assistant", Content: "a"}}, Prediction: tricky},
		"tiny temperature": {Messages: []Message{{Role: "user", Content: "u"}}, Temperature: &tiny},
		"huge temperature": {Messages: []Message{{Role: "user", Content: "u"}}, Temperature: &big},
		"no messages":      {Messages: []Message{}},
	} {
		t.Run(name, func(t *testing.T) { testRequestMatches(t, req) })
	}
}

func testRequestMatches(t *testing.T, req Request) {
	srv := llmtest.NewServer(t, llmtest.Step{Chunks: []string{"a"}}, llmtest.Step{Chunks: []string{"a"}})
	c := newTestClient(srv, func(c *Config) { c.APIKey = "sk-x" })
	params, err := c.params(req)
	if err != nil {
		t.Fatal(err)
	}
	sdk := c.svc.NewStreaming(context.Background(), params, option.WithMaxRetries(0))
	for sdk.Next() {
	}
	if err := sdk.Err(); err != nil {
		t.Fatalf("NewStreaming: %v", err)
	}
	if _, err := c.Stream(context.Background(), req, func(string) error { return nil }); err != nil {
		t.Fatalf("Stream: %v", err)
	}
	reqs := srv.Requests()
	want, got := reqs[0], reqs[1]
	if string(got.Body) != string(want.Body) {
		t.Errorf("body = %s\nNewStreaming sends %s", got.Body, want.Body)
	}
	if got.Path != want.Path {
		t.Errorf("path = %s, NewStreaming uses %s", got.Path, want.Path)
	}
	for _, h := range []http.Header{got.Header, want.Header} {
		h.Del("Content-Length") // equal bodies, equal lengths
	}
	if !reflect.DeepEqual(got.Header, want.Header) {
		t.Errorf("headers = %v\nNewStreaming sends %v", got.Header, want.Header)
	}
}

// TestChunkMatchesSDK decodes real chunk shapes with both chunk and openai.ChatCompletionChunk
// and compares the fields spark uses.
func TestChunkMatchesSDK(t *testing.T) {
	events := []string{
		`{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":"fp","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}`,
		`{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"héllo\n\"x\""},"logprobs":null,"finish_reason":null}]}`,
		`{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}],"usage":null}`,
		`{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13,"prompt_tokens_details":{"cached_tokens":8},"completion_tokens_details":{"accepted_prediction_tokens":2,"rejected_prediction_tokens":1}}}`,
		// llama.cpp: content null on the last chunk, usage without details.
		`{"choices":[{"finish_reason":"stop","index":0,"delta":{"content":null}}],"created":1,"id":"c","model":"m","object":"chat.completion.chunk","usage":{"completion_tokens":5,"prompt_tokens":7,"total_tokens":12}}`,
		// A reasoning server's extra delta field, and an oddly typed field spark does not read.
		`{"id":"c","choices":[{"index":0,"delta":{"reasoning_content":"hmm","content":"ok"},"finish_reason":null}],"created":"yesterday"}`,
	}
	for _, ev := range events {
		var lean chunk
		if err := json.Unmarshal([]byte(ev), &lean); err != nil {
			t.Errorf("chunk decode %s: %v", ev, err)
			continue
		}
		var sdk openai.ChatCompletionChunk
		if err := json.Unmarshal([]byte(ev), &sdk); err != nil {
			t.Errorf("SDK decode %s: %v", ev, err)
			continue
		}
		if !lean.valid() {
			t.Errorf("chunk %s: valid() = false", ev)
		}
		if len(lean.Choices) != len(sdk.Choices) {
			t.Fatalf("chunk %s: %d choices, SDK %d", ev, len(lean.Choices), len(sdk.Choices))
		}
		for i := range lean.Choices {
			l, s := lean.Choices[i], sdk.Choices[i]
			if l.Index != s.Index || string(l.Delta.Content) != s.Delta.Content || l.FinishReason != s.FinishReason {
				t.Errorf("chunk %s: choice %+v, SDK index %d content %q finish %q", ev, l, s.Index, s.Delta.Content, s.FinishReason)
			}
		}
		if (lean.Usage != nil) != sdk.JSON.Usage.Valid() {
			t.Errorf("chunk %s: usage present %v, SDK %v", ev, lean.Usage != nil, sdk.JSON.Usage.Valid())
		} else if u := lean.Usage; u != nil {
			su := sdk.Usage
			if u.PromptTokens != su.PromptTokens || u.CompletionTokens != su.CompletionTokens ||
				u.PromptTokensDetails.CachedTokens != su.PromptTokensDetails.CachedTokens ||
				u.CompletionTokensDetails.AcceptedPredictionTokens != su.CompletionTokensDetails.AcceptedPredictionTokens ||
				u.CompletionTokensDetails.RejectedPredictionTokens != su.CompletionTokensDetails.RejectedPredictionTokens {
				t.Errorf("chunk %s: usage %+v, SDK %+v", ev, *u, su)
			}
		}
	}
	var notChunk chunk
	if err := json.Unmarshal([]byte(`{"foo":1}`), &notChunk); err != nil || notChunk.valid() {
		t.Errorf(`decode {"foo":1} = valid %v, %v; want not valid, no error`, notChunk.valid(), err)
	}
}

func BenchmarkChunkDecode(b *testing.B) {
	ev := []byte(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1795598806,"model":"m","system_fingerprint":"fp","choices":[{"index":0,"delta":{"content":"tok "},"logprobs":null,"finish_reason":null}],"usage":null}`)
	b.Run("lean", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var c chunk
			if err := json.Unmarshal(ev, &c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var c openai.ChatCompletionChunk
			if err := json.Unmarshal(ev, &c); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// params converts req to openai-go's parameters, as a caller of the SDK would, for comparing
// requestBody with what the SDK sends.
func (c *Client) params(req Request) (openai.ChatCompletionNewParams, error) {
	p := openai.ChatCompletionNewParams{
		Model:    c.cfg.Model,
		Messages: make([]openai.ChatCompletionMessageParamUnion, 0, len(req.Messages)),
		StreamOptions: openai.ChatCompletionStreamOptionsParam{
			IncludeUsage: openai.Bool(true),
		},
	}
	for _, m := range req.Messages {
		switch m.Role {
		case "system":
			p.Messages = append(p.Messages, openai.SystemMessage(m.Content))
		case "developer":
			p.Messages = append(p.Messages, openai.DeveloperMessage(m.Content))
		case "user":
			p.Messages = append(p.Messages, openai.UserMessage(m.Content))
		case "assistant":
			p.Messages = append(p.Messages, openai.AssistantMessage(m.Content))
		default:
			return p, fmt.Errorf("unknown message role %q", m.Role)
		}
	}
	if req.MaxTokens > 0 {
		p.MaxCompletionTokens = openai.Int(int64(req.MaxTokens))
	}
	if req.Temperature != nil {
		p.Temperature = openai.Float(*req.Temperature)
	}
	if req.Prediction != "" {
		p.Prediction = openai.ChatCompletionPredictionContentParam{
			Content: openai.ChatCompletionPredictionContentContentUnionParam{OfString: openai.String(req.Prediction)},
		}
	}
	return p, nil
}

// TestStreamChunkShapes streams chunk shapes that real servers send besides OpenAI's own and
// checks the text spark reads from them.
func TestStreamChunkShapes(t *testing.T) {
	head := `{"id":"c","object":"chat.completion.chunk","created":1,"model":"m",`
	for _, tc := range []struct {
		name   string
		events []string
		want   string
	}{
		{
			name: "content as typed parts",
			events: []string{
				head + `"choices":[{"index":0,"delta":{"role":"assistant","content":[{"type":"thinking","thinking":[{"type":"text","text":"the user wants"}]}]},"finish_reason":null}]}`,
				head + `"choices":[{"index":0,"delta":{"content":[{"type":"text","text":"fixed "},{"type":"thinking","thinking":[]},{"type":"text","text":"it"}]},"finish_reason":null}]}`,
				head + `"choices":[{"index":0,"delta":{"content":"\n\"done\""},"finish_reason":"stop"}]}`,
			},
			want: "fixed it\n\"done\"",
		},
		{
			name: "error null in healthy chunks",
			events: []string{
				head + `"error":null,"choices":[{"index":0,"delta":{"content":"all "},"finish_reason":null}]}`,
				head + `"error":null,"choices":[{"index":0,"delta":{"content":"good"},"finish_reason":"stop"}],"usage":null}`,
			},
			want: "all good",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := ""
			for _, ev := range tc.events {
				raw += "data: " + ev + "\n\n"
			}
			srv := llmtest.NewServer(t, llmtest.Step{Raw: raw + "data: [DONE]\n\n"})
			var deltas string
			res, err := newTestClient(srv).Stream(context.Background(), userMsg("x"), func(d string) error {
				deltas += d
				return nil
			})
			if err != nil {
				t.Fatalf("Stream error: %v", err)
			}
			if res.Text != tc.want || deltas != tc.want {
				t.Errorf("Stream text = %q, deltas %q; want %q", res.Text, deltas, tc.want)
			}
		})
	}
}
