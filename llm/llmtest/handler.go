package llmtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Step is the scripted answer to one request.
type Step struct {
	Status       int           `json:"status,omitempty"`      // 0 or 200: stream; other: error response with ErrorBody
	ErrorBody    string        `json:"error_body,omitempty"`  // default: OpenAI's body for Status
	RetryAfter   string        `json:"retry_after,omitempty"` // Retry-After header, e.g. for 429 and 503
	Chunks       []string      `json:"chunks,omitempty"`      // content deltas, sent in order
	ChunkDelay   time.Duration `json:"chunk_delay,omitempty"` // sleep before each chunk after the first
	FirstDelay   time.Duration `json:"first_delay,omitempty"` // sleep before the first content chunk
	FinishReason string        `json:"finish_reason,omitempty"`
	Usage        *Usage        `json:"usage,omitempty"`      // default: about len/4; sent only if include_usage
	DropAfter    int           `json:"drop_after,omitempty"` // >0: close the connection after this many content chunks
	HangAfter    int           `json:"hang_after,omitempty"` // >0: stop after this many content chunks until the client leaves
	Raw          string        `json:"raw,omitempty"`        // written verbatim as a 200 text/event-stream body
}

// serve answers one request with the next step of the script.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	body, _ := io.ReadAll(r.Body)
	rec := Request{Path: r.URL.Path, Proto: r.Proto, Header: r.Header.Clone(), Body: body, Arrived: arrived, Step: -1}
	_ = json.Unmarshal(body, &rec.JSON)

	s.mu.Lock()
	var step Step
	switch {
	case r.Method != http.MethodPost || (r.URL.Path != "/v1/chat/completions" && r.URL.Path != "/chat/completions" && !responsesPath(r.URL.Path)):
		rec.Unexpected = "unexpected request " + r.Method + " " + r.URL.Path
	case s.next < len(s.steps):
		step, rec.Step = s.steps[s.next], s.next
		s.next++
	case s.repeat != nil:
		step, rec.Step = *s.repeat, s.next
		s.next++
	default:
		rec.Unexpected = "request " + strconv.Itoa(len(s.reqs)+1) + " is beyond the script of " + strconv.Itoa(len(s.steps)) + " steps"
	}
	idx := len(s.reqs)
	s.reqs = append(s.reqs, rec)
	s.mu.Unlock()
	select {
	case s.arrived <- rec:
	default:
	}

	if rec.Unexpected != "" {
		if s.t != nil {
			s.t.Errorf("llmtest: %s", rec.Unexpected)
		}
		writeError(w, http.StatusInternalServerError, "", formatError("llmtest: "+rec.Unexpected, "server_error", ""))
		return
	}
	model, _ := rec.JSON["model"].(string)
	if rec.JSON == nil {
		writeError(w, http.StatusBadRequest, "", errorBody(http.StatusBadRequest, model))
		return
	}
	switch {
	case step.Status != 0 && step.Status != http.StatusOK:
		b := step.ErrorBody
		if b == "" {
			b = errorBody(step.Status, model)
		}
		writeError(w, step.Status, step.RetryAfter, b)
	case step.Raw != "":
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		io.WriteString(w, step.Raw)
	default:
		rr := r.WithContext(context.WithValue(r.Context(), reqIndexKey{}, idx))
		answer := s.stream
		if responsesPath(r.URL.Path) {
			answer = s.streamResponse
		}
		if !answer(w, rr, &step, rec.JSON) {
			s.disconnected(idx)
		}
	}
}

// writeError sends an OpenAI-style error response.
func writeError(w http.ResponseWriter, status int, retryAfter, body string) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Request-Id", "req_llmtest")
	if retryAfter != "" {
		h.Set("Retry-After", retryAfter)
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// reqIndexKey carries a request's index in Server.reqs through its context.
type reqIndexKey struct{}

// doneAt records that the complete stream of request r, [DONE] included, has been flushed.
func (s *Server) doneAt(r *http.Request) {
	now := time.Now()
	i, ok := r.Context().Value(reqIndexKey{}).(int)
	if !ok {
		return
	}
	s.mu.Lock()
	s.reqs[i].Done = now
	s.mu.Unlock()
}

// disconnected records that the client of request i went away and wakes its watchers.
func (s *Server) disconnected(i int) {
	now := time.Now()
	s.mu.Lock()
	if s.reqs[i].Disconnected.IsZero() {
		s.reqs[i].Disconnected = now
	}
	for _, ch := range s.watchers[i] {
		close(ch)
	}
	delete(s.watchers, i)
	s.mu.Unlock()
}
