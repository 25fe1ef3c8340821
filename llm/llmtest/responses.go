package llmtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// The Responses API (POST /v1/responses with "stream": true), as OpenAI's Codex CLI and other
// agents speak it. A Step answers it as it answers a chat completion: Chunks become
// response.output_text.delta events, Usage the usage of response.completed, FinishReason
// "length" or "content_filter" a response.incomplete. The events and the response object are
// laid out as OpenAI sends them (field order, "temperature":1.0, the "obfuscation" padding of
// short deltas); there is no [DONE] after response.completed, so Request.Done is when that
// event was flushed.

var responseSeq atomic.Int64

// responsesPath reports whether p is the Responses API's create endpoint.
func responsesPath(p string) bool { return p == "/v1/responses" || p == "/responses" }

// responseWriter renders one streamed response.
type responseWriter struct {
	id, msgID string
	created   int64
	seq       int
	// The response object's fields that repeat the request, pre-rendered in OpenAI's order:
	// before "output", between "output" and "service_tier", and from "store" to "usage".
	head, mid, tail []byte
}

func newResponseWriter(req map[string]any) *responseWriter {
	n := strconv.FormatInt(responseSeq.Add(1), 10)
	rw := &responseWriter{id: "resp_llmtest" + n, msgID: "msg_llmtest" + n, created: time.Now().Unix()}
	str := func(b []byte, k string) []byte {
		if v, ok := req[k].(string); ok {
			return appendJSONString(b, v)
		}
		return append(b, "null"...)
	}
	boolean := func(b []byte, k string, def bool) []byte {
		if v, ok := req[k].(bool); ok {
			def = v
		}
		return strconv.AppendBool(b, def)
	}
	tools := []byte("[]")
	if v, ok := req["tools"]; ok && v != nil {
		if b, err := marshalCompact(v); err == nil {
			tools = b
		}
	}
	rw.head = append(rw.head, `,"instructions":`...)
	rw.head = str(rw.head, "instructions")
	rw.head = append(rw.head, `,"max_output_tokens":null,"max_tool_calls":null,"model":`...)
	rw.head = str(rw.head, "model")

	rw.mid = append(rw.mid, `,"parallel_tool_calls":`...)
	rw.mid = boolean(rw.mid, "parallel_tool_calls", true)
	rw.mid = append(rw.mid, `,"previous_response_id":`...)
	rw.mid = str(rw.mid, "previous_response_id")
	rw.mid = append(rw.mid, `,"prompt_cache_key":`...)
	rw.mid = str(rw.mid, "prompt_cache_key")
	rw.mid = append(rw.mid, `,"reasoning":{"effort":null,"summary":null},"safety_identifier":null,"service_tier":`...)

	rw.tail = append(rw.tail, `,"store":`...)
	rw.tail = boolean(rw.tail, "store", true)
	rw.tail = append(rw.tail, `,"temperature":1.0,"text":{"format":{"type":"text"},"verbosity":"medium"},"tool_choice":"auto","tools":`...)
	rw.tail = append(rw.tail, tools...)
	rw.tail = append(rw.tail, `,"top_logprobs":0,"top_p":1.0,"truncation":"disabled","usage":`...)
	return rw
}

// marshalCompact renders v as JSON without HTML escaping, as OpenAI does.
func marshalCompact(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// event starts one server-sent event of type typ, through "sequence_number":N.
func (rw *responseWriter) event(b []byte, typ string) []byte {
	b = append(b, "event: "...)
	b = append(b, typ...)
	b = append(b, "\ndata: {\"type\":"...)
	b = appendJSONString(b, typ)
	b = append(b, `,"sequence_number":`...)
	b = strconv.AppendInt(b, int64(rw.seq), 10)
	rw.seq++
	return b
}

// object renders the response object with status, its output items and usage (nil: null).
func (rw *responseWriter) object(b []byte, status string, incomplete string, output []byte, u *Usage) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, rw.id)
	b = append(b, `,"object":"response","created_at":`...)
	b = strconv.AppendInt(b, rw.created, 10)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, status)
	b = append(b, `,"background":false,"error":null,"incomplete_details":`...)
	if incomplete == "" {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"reason":`...)
		b = appendJSONString(b, incomplete)
		b = append(b, '}')
	}
	b = append(b, rw.head...)
	b = append(b, `,"output":`...)
	if output == nil {
		b = append(b, "[]"...)
	} else {
		b = append(b, '[')
		b = append(b, output...)
		b = append(b, ']')
	}
	// OpenAI reports the tier it will use while the response runs and the one it used after.
	tier := "auto"
	if u != nil {
		tier = "default"
	}
	b = append(b, rw.mid...)
	b = appendJSONString(b, tier)
	b = append(b, rw.tail...)
	if u == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"input_tokens":`...)
		b = strconv.AppendInt(b, u.PromptTokens, 10)
		b = append(b, `,"input_tokens_details":{"cached_tokens":`...)
		b = strconv.AppendInt(b, u.CachedTokens, 10)
		b = append(b, `},"output_tokens":`...)
		b = strconv.AppendInt(b, u.CompletionTokens, 10)
		b = append(b, `,"output_tokens_details":{"reasoning_tokens":`...)
		b = strconv.AppendInt(b, u.ReasoningTokens, 10)
		b = append(b, `},"total_tokens":`...)
		b = strconv.AppendInt(b, u.PromptTokens+u.CompletionTokens, 10)
		b = append(b, '}')
	}
	return append(b, `,"user":null,"metadata":{}}`...)
}

// lifecycle renders response.created, response.in_progress, response.completed or
// response.incomplete.
func (rw *responseWriter) lifecycle(b []byte, typ, status, incomplete string, output []byte, u *Usage) []byte {
	b = rw.event(b, typ)
	b = append(b, `,"response":`...)
	b = rw.object(b, status, incomplete, output, u)
	return append(b, "}\n\n"...)
}

// message renders the assistant message item with its text (nil text: no content yet).
func (rw *responseWriter) message(b []byte, status string, text *string) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, rw.msgID)
	b = append(b, `,"type":"message","status":`...)
	b = appendJSONString(b, status)
	b = append(b, `,"content":[`...)
	if text != nil {
		b = textPart(b, *text)
	}
	return append(b, `],"role":"assistant"}`...)
}

func textPart(b []byte, text string) []byte {
	b = append(b, `{"type":"output_text","annotations":[],"logprobs":[],"text":`...)
	b = appendJSONString(b, text)
	return append(b, '}')
}

func (rw *responseWriter) item(b []byte, typ, status string, text *string) []byte {
	b = rw.event(b, typ)
	b = append(b, `,"output_index":0,"item":`...)
	b = rw.message(b, status, text)
	return append(b, "}\n\n"...)
}

// partEvent renders response.content_part.added or .done.
func (rw *responseWriter) partEvent(b []byte, typ, text string) []byte {
	b = rw.event(b, typ)
	b = rw.location(b)
	b = append(b, `,"part":`...)
	b = textPart(b, text)
	return append(b, "}\n\n"...)
}

func (rw *responseWriter) location(b []byte) []byte {
	b = append(b, `,"item_id":`...)
	b = appendJSONString(b, rw.msgID)
	return append(b, `,"output_index":0,"content_index":0`...)
}

// delta renders one response.output_text.delta. OpenAI pads each delta with an "obfuscation"
// string so that delta and padding together are a multiple of 16 bytes long, hiding token
// lengths from whoever watches the encrypted stream's record sizes.
func (rw *responseWriter) delta(b []byte, text string) []byte {
	b = rw.event(b, "response.output_text.delta")
	b = rw.location(b)
	b = append(b, `,"delta":`...)
	b = appendJSONString(b, text)
	b = append(b, `,"logprobs":[],"obfuscation":"`...)
	pad := 16 - len(text)%16
	for i := 0; i < pad; i++ {
		b = append(b, obfuscationAlphabet[(rw.seq*7+i*13)%len(obfuscationAlphabet)])
	}
	return append(b, "\"}\n\n"...)
}

const obfuscationAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func (rw *responseWriter) textDone(b []byte, text string) []byte {
	b = rw.event(b, "response.output_text.done")
	b = rw.location(b)
	b = append(b, `,"text":`...)
	b = appendJSONString(b, text)
	return append(b, `,"logprobs":[]}`+"\n\n"...)
}

// streamResponse writes the scripted reply as Responses API events, flushing each. It returns
// false if the client went away before the reply was complete.
func (s *Server) streamResponse(w http.ResponseWriter, r *http.Request, st *Step, req map[string]any) bool {
	ctx := r.Context()
	rc := http.NewResponseController(w)
	rw := newResponseWriter(req)
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("X-Request-Id", "req_llmtest")
	w.WriteHeader(http.StatusOK)

	buf := make([]byte, 0, 2048)
	for _, typ := range []string{"response.created", "response.in_progress"} {
		if !send(ctx, w, rc, rw.lifecycle(buf[:0], typ, "in_progress", "", nil, nil)) {
			return false
		}
	}
	if !send(ctx, w, rc, rw.item(buf[:0], "response.output_item.added", "in_progress", nil)) ||
		!send(ctx, w, rc, rw.partEvent(buf[:0], "response.content_part.added", "")) {
		return false
	}
	text, over, ok := s.sendChunks(ctx, w, rc, st, rw.delta)
	if over {
		return ok
	}
	full := string(text)
	status, final, incomplete := "completed", "response.completed", ""
	switch st.FinishReason {
	case "length":
		status, final, incomplete = "incomplete", "response.incomplete", "max_output_tokens"
	case "content_filter":
		status, final, incomplete = "incomplete", "response.incomplete", "content_filter"
	}
	u := responsesUsage(req, len(text))
	if st.Usage != nil {
		u = *st.Usage
	}
	output := rw.message(nil, status, &full)
	if !send(ctx, w, rc, rw.textDone(buf[:0], full)) ||
		!send(ctx, w, rc, rw.partEvent(buf[:0], "response.content_part.done", full)) ||
		!send(ctx, w, rc, rw.item(buf[:0], "response.output_item.done", status, &full)) ||
		!send(ctx, w, rc, rw.lifecycle(buf[:0], final, status, incomplete, output, &u)) {
		return false
	}
	s.doneAt(r)
	return true
}

// responsesUsage estimates tokens at about four bytes each, counting the instructions and the
// text of every input item.
func responsesUsage(req map[string]any, outputBytes int) Usage {
	n := 0
	if s, ok := req["instructions"].(string); ok {
		n += len(s)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			n += len(v)
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, k := range []string{"content", "text", "output", "arguments"} {
				if e, ok := v[k]; ok {
					walk(e)
				}
			}
		}
	}
	walk(req["input"])
	return Usage{PromptTokens: int64(n+3) / 4, CompletionTokens: int64(outputBytes+3) / 4}
}
