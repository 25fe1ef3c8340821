package llmtest

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Usage is the token accounting sent in the final usage chunk, shaped like OpenAI's.
type Usage struct {
	PromptTokens             int64
	CompletionTokens         int64
	CachedTokens             int64
	AcceptedPredictionTokens int64
	RejectedPredictionTokens int64
	ReasoningTokens          int64
}

// chunkHead holds the fields every chunk of one completion repeats.
type chunkHead struct {
	id          string
	created     int64
	model       string
	fingerprint string
	withUsage   bool // the request asked for stream_options.include_usage
}

// appendHead writes the opening of a chunk object up to and including `"choices":`.
func (h *chunkHead) appendHead(b []byte) []byte {
	b = append(b, `data: {"id":`...)
	b = appendJSONString(b, h.id)
	b = append(b, `,"object":"chat.completion.chunk","created":`...)
	b = strconv.AppendInt(b, h.created, 10)
	b = append(b, `,"model":`...)
	b = appendJSONString(b, h.model)
	b = append(b, `,"system_fingerprint":`...)
	b = appendJSONString(b, h.fingerprint)
	return append(b, `,"choices":`...)
}

// appendTail closes a chunk object; OpenAI adds "usage":null to every chunk when usage was requested.
func (h *chunkHead) appendTail(b []byte) []byte {
	if h.withUsage {
		b = append(b, `,"usage":null`...)
	}
	return append(b, "}\n\n"...)
}

// roleChunk is the first chunk: the assistant role and empty content.
func (h *chunkHead) roleChunk(b []byte) []byte {
	b = h.appendHead(b)
	b = append(b, `[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]`...)
	return h.appendTail(b)
}

// contentChunk carries one content delta.
func (h *chunkHead) contentChunk(b []byte, content string) []byte {
	b = h.appendHead(b)
	b = append(b, `[{"index":0,"delta":{"content":`...)
	b = appendJSONString(b, content)
	b = append(b, `},"logprobs":null,"finish_reason":null}]`...)
	return h.appendTail(b)
}

// finishChunk has an empty delta and the finish reason.
func (h *chunkHead) finishChunk(b []byte, reason string) []byte {
	b = h.appendHead(b)
	b = append(b, `[{"index":0,"delta":{},"logprobs":null,"finish_reason":`...)
	b = appendJSONString(b, reason)
	b = append(b, `}]`...)
	return h.appendTail(b)
}

// usageChunk is the extra chunk sent before [DONE] when include_usage was requested.
func (h *chunkHead) usageChunk(b []byte, u Usage) []byte {
	b = h.appendHead(b)
	b = append(b, `[],"usage":{"prompt_tokens":`...)
	b = strconv.AppendInt(b, u.PromptTokens, 10)
	b = append(b, `,"completion_tokens":`...)
	b = strconv.AppendInt(b, u.CompletionTokens, 10)
	b = append(b, `,"total_tokens":`...)
	b = strconv.AppendInt(b, u.PromptTokens+u.CompletionTokens, 10)
	b = append(b, `,"prompt_tokens_details":{"cached_tokens":`...)
	b = strconv.AppendInt(b, u.CachedTokens, 10)
	b = append(b, `,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":`...)
	b = strconv.AppendInt(b, u.ReasoningTokens, 10)
	b = append(b, `,"audio_tokens":0,"accepted_prediction_tokens":`...)
	b = strconv.AppendInt(b, u.AcceptedPredictionTokens, 10)
	b = append(b, `,"rejected_prediction_tokens":`...)
	b = strconv.AppendInt(b, u.RejectedPredictionTokens, 10)
	return append(b, "}}}\n\n"...)
}

const doneEvent = "data: [DONE]\n\n"

// appendJSONString quotes s as JSON, the way OpenAI's servers do: UTF-8 kept as is, no HTML
// escaping; invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// Split cuts text into chunks of n runes (the last may be shorter), a convenient script for a
// reply; n < 1 is treated as 1. An empty text gives no chunks.
func Split(text string, n int) []string {
	if n < 1 {
		n = 1
	}
	var out []string
	for len(text) > 0 {
		i, runes := 0, 0
		for i < len(text) && runes < n {
			_, size := utf8.DecodeRuneInString(text[i:])
			i += size
			runes++
		}
		out = append(out, text[:i])
		text = text[i:]
	}
	return out
}
