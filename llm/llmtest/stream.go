package llmtest

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

var completionSeq atomic.Int64

// stream writes the scripted streaming reply, flushing each event. It returns false if the
// client went away before the reply was complete.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, st *Step, req map[string]any) bool {
	ctx := r.Context()
	rc := http.NewResponseController(w)
	model, _ := req["model"].(string)
	h := chunkHead{
		id:          "chatcmpl-llmtest" + strconv.FormatInt(completionSeq.Add(1), 10),
		created:     time.Now().Unix(),
		model:       model,
		fingerprint: "fp_llmtest",
		withUsage:   includeUsage(req),
	}
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("X-Request-Id", "req_llmtest")
	w.WriteHeader(http.StatusOK)

	buf := make([]byte, 0, 512)
	if !send(ctx, w, rc, h.roleChunk(buf[:0])) {
		return false
	}
	text, over, ok := s.sendChunks(ctx, w, rc, st, h.contentChunk)
	if over {
		return ok
	}
	reason := st.FinishReason
	if reason == "" {
		reason = "stop"
	}
	if !send(ctx, w, rc, h.finishChunk(buf[:0], reason)) {
		return false
	}
	if h.withUsage {
		u := defaultUsage(req, len(text))
		if st.Usage != nil {
			u = *st.Usage
		}
		if !send(ctx, w, rc, h.usageChunk(buf[:0], u)) {
			return false
		}
	}
	if !send(ctx, w, rc, []byte(doneEvent)) {
		return false
	}
	s.doneAt(r)
	return true
}

// sendChunks sends the step's content deltas, each encoded by encode and paced as the step
// says, then drops the connection or hangs where the step says. over reports that the reply
// ends there (dropped, hung, or the client gone), with ok as the handler returns it; text is
// the content sent.
func (s *Server) sendChunks(ctx context.Context, w http.ResponseWriter, rc *http.ResponseController, st *Step,
	encode func(b []byte, delta string) []byte) (text []byte, over, ok bool) {
	buf := make([]byte, 0, 2048)
	for i, c := range st.Chunks {
		if (st.DropAfter > 0 && i == st.DropAfter) || (st.HangAfter > 0 && i == st.HangAfter) {
			break
		}
		d := st.ChunkDelay
		if i == 0 {
			d = st.FirstDelay
		}
		if d > 0 && !s.sleep(ctx, d) {
			return text, true, ctx.Err() == nil
		}
		buf = encode(buf[:0], c)
		if !send(ctx, w, rc, buf) {
			return text, true, false
		}
		text = append(text, c...)
	}
	switch {
	case st.DropAfter > 0 && st.DropAfter <= len(st.Chunks):
		drop(rc)
		return text, true, true
	case st.HangAfter > 0 && st.HangAfter <= len(st.Chunks):
		select {
		case <-ctx.Done():
			return text, true, false
		case <-s.closed:
			return text, true, true
		}
	}
	return text, false, true
}

// send writes and flushes one event; false means the client is gone.
func send(ctx context.Context, w http.ResponseWriter, rc *http.ResponseController, b []byte) bool {
	if ctx.Err() != nil {
		return false
	}
	if _, err := w.Write(b); err != nil {
		return false
	}
	return rc.Flush() == nil
}

// sleep waits d; false means the client went away or the server is closing.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closed:
		return false
	}
}

// drop closes the connection abruptly: no finish chunk, no [DONE], no end of the chunked
// body. HTTP/2 cannot be hijacked; aborting the handler resets the stream instead.
func drop(rc *http.ResponseController) {
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

func includeUsage(req map[string]any) bool {
	opts, _ := req["stream_options"].(map[string]any)
	v, _ := opts["include_usage"].(bool)
	return v
}

// defaultUsage estimates tokens as OpenAI's rule of thumb does: about four bytes a token.
func defaultUsage(req map[string]any, completionBytes int) Usage {
	var prompt int
	msgs, _ := req["messages"].([]any)
	for _, m := range msgs {
		mm, _ := m.(map[string]any)
		c, _ := mm["content"].(string)
		prompt += len(c)
	}
	return Usage{PromptTokens: int64(prompt+3) / 4, CompletionTokens: int64(completionBytes+3) / 4}
}
