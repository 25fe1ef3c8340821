package llm

import (
	"context"
	"fmt"
	"net/http"

	"github.com/openai/openai-go/v3/packages/ssestream"
)

// openStream sends the streaming request with the given body (from requestBody) and returns
// openai-go's SSE stream over the response, and the response (nil when none arrived).
//
// It is ChatCompletionService.NewStreaming taken apart at its seams: NewStreaming is an HTTP
// POST to chat/completions with openai-go's headers, its body kept as an *http.Response, and
// ssestream.NewStream[openai.ChatCompletionChunk] over it. The request is made here (post) so
// that the binary does not link openai-go's root package: its whole API surface and package
// initialisation cost more start-up time than the rest of spark together.
// TestRequestMatchesNewStreaming holds post to the bytes NewStreaming sends (path, headers,
// body) and the redirect policy to openai-go's. The same ssestream decoder then runs with chunk,
// which decodes only the fields spark reads: about 1.7µs and 11 allocations a chunk instead of
// 10.6µs and 54 for the SDK's full type, the difference between a 1MB reply costing 0.4s or
// 2.7s of CPU at four bytes a chunk.
func (c *Client) openStream(ctx context.Context, body []byte, wd *watchdog) (*ssestream.Stream[chunk], *http.Response) {
	resp, err := c.post(ctx, body, wd.middleware)
	if err == nil && resp.StatusCode >= 400 {
		err = &statusErr{code: resp.StatusCode}
	}
	return ssestream.NewStream[chunk](ssestream.NewDecoder(resp), err), resp
}

// statusErr is an error status of the response; classify turns it into an *Error with the
// server's message.
type statusErr struct{ code int }

func (e *statusErr) Error() string {
	return fmt.Sprintf("status %d %s", e.code, http.StatusText(e.code))
}

// chunk is the part of a chat.completion.chunk that spark uses. Fields it does not name are
// skipped unchecked, so servers' extra or oddly typed fields (created, reasoning_content,
// tool_calls) do no harm; a wrongly typed field among these few fails as KindProtocol.
type chunk struct {
	Choices []chunkChoice `json:"choices"`
	Usage   *chunkUsage   `json:"usage"`
}

type chunkChoice struct {
	Index int64 `json:"index"`
	Delta struct {
		Content string `json:"content"`
	} `json:"delta"`
	FinishReason string `json:"finish_reason"`
}

type chunkUsage struct {
	PromptTokens        int64 `json:"prompt_tokens"`
	CompletionTokens    int64 `json:"completion_tokens"`
	PromptTokensDetails struct {
		CachedTokens int64 `json:"cached_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails struct {
		AcceptedPredictionTokens int64 `json:"accepted_prediction_tokens"`
		RejectedPredictionTokens int64 `json:"rejected_prediction_tokens"`
	} `json:"completion_tokens_details"`
}

// valid reports whether the event was a chat.completion.chunk at all: servers send
// "choices" on every chunk (empty on the usage chunk).
func (c *chunk) valid() bool { return c.Choices != nil || c.Usage != nil }
