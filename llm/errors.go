package llm

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind classifies an *Error so that callers can react without parsing text.
type Kind int

// The kinds of failure a model request can end in.
const (
	KindUnknown    Kind = iota
	KindAuth            // 401 or 403: the API key is missing, wrong or not allowed
	KindNotFound        // 404: usually an unknown model or a wrong base URL path
	KindRateLimit       // 429 after the retries
	KindBadRequest      // 400, 422 and other 4xx: the server rejected the request
	KindServer          // 5xx after the retries, or an error event inside the stream
	KindConnect         // connection refused, DNS, TLS or dial timeout
	KindStalled         // no bytes from the server for Config.StallTimeout
	KindDropped         // the stream ended without a finish_reason or [DONE], or broke mid-stream
	KindLength          // finish_reason=length: the reply was cut at the token limit
	KindProtocol        // the server sent something that is not OpenAI SSE or JSON
)

var kindNames = [...]string{"unknown", "auth", "not found", "rate limit", "bad request", "server", "connect", "stalled", "dropped", "length", "protocol"}

// String returns a short lowercase name for k, such as "rate limit".
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("kind(%d)", int(k))
	}
	return kindNames[k]
}

// Error is the error Stream returns for every failure of the model request itself (it returns
// onDelta's error and context errors as they are). Error() is one lowercase line naming the
// operation and the host, with the server's own message when it sent one; Hint is a separate
// suggestion for the user and is not part of Error().
type Error struct {
	Kind    Kind
	Status  int    // HTTP status, 0 if none
	Message string // the server's own error message, or a description of what went wrong
	Host    string // host[:port] of the model server
	Hint    string // what the user can do about it; may be empty
	Err     error  // the underlying error, if any

	bytes         int64         // body bytes received before a drop
	stall         time.Duration // the stall timeout that fired
	retry         bool          // the request may be sent again
	retryAfter    time.Duration // the server's Retry-After
	retryAfterSet bool          // whether the server sent one
}

// maxMessage bounds how much of a server's message Error() repeats.
const maxMessage = 240

// Error returns the one-line description, for example
// "model request to 127.0.0.1:8080: 401 unauthorized: invalid api key".
func (e *Error) Error() string {
	msg := oneLine(e.Message)
	switch e.Kind {
	case KindStalled:
		if e.bytes == 0 && e.Status == 0 {
			return fmt.Sprintf("model server %s stalled: no response for %s", e.Host, fmtDuration(e.stall))
		}
		return fmt.Sprintf("model stream from %s stalled: no data for %s", e.Host, fmtDuration(e.stall))
	case KindDropped:
		return fmt.Sprintf("model stream from %s dropped after %d bytes", e.Host, e.bytes)
	case KindLength:
		return "model reply cut at the token limit (finish_reason=length)"
	case KindConnect:
		if msg == "" {
			return fmt.Sprintf("model server %s refused the connection", e.Host)
		}
		return fmt.Sprintf("model server %s: %s", e.Host, msg)
	case KindProtocol:
		return fmt.Sprintf("model stream from %s: %s", e.Host, msg)
	}
	if e.Status != 0 {
		s := fmt.Sprintf("model request to %s: %d %s", e.Host, e.Status, strings.ToLower(http.StatusText(e.Status)))
		if msg != "" {
			s += ": " + msg
		}
		return s
	}
	if e.Kind == KindServer {
		return fmt.Sprintf("model stream from %s: server error: %s", e.Host, msg)
	}
	return fmt.Sprintf("model request to %s: %s", e.Host, msg)
}

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.Err }

// statusError classifies an HTTP error status; msg is the server's own message.
func statusError(host string, status int, msg string, h http.Header) *Error {
	e := &Error{Status: status, Message: msg, Host: host}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Kind, e.Hint = KindAuth, "check the API key (OPENAI_API_KEY) and that it may use this model"
	case status == http.StatusNotFound:
		e.Kind, e.Hint = KindNotFound, "check the model name and the base URL (OpenAI-compatible servers usually end in /v1)"
	case status == http.StatusTooManyRequests:
		e.Kind, e.Hint, e.retry = KindRateLimit, "wait a moment and try again", true
	case status >= 500:
		e.Kind, e.Hint = KindServer, "the model server failed; try again"
		e.retry = status != http.StatusNotImplemented && status != http.StatusHTTPVersionNotSupported
	case status >= 400:
		e.Kind = KindBadRequest
	default:
		e.Kind = KindProtocol
		e.Message = fmt.Sprintf("unexpected status %d %s", status, strings.ToLower(http.StatusText(status)))
	}
	if h != nil {
		switch h.Get("X-Should-Retry") {
		case "true":
			e.retry = true
		case "false":
			e.retry = false
		}
		if d, ok := parseRetryAfter(h); ok {
			e.retryAfter, e.retryAfterSet = d, true
			if e.Kind == KindRateLimit && d > maxRetryDelay {
				e.Hint = "the server asks to wait " + fmtDuration(d.Round(time.Second)) + " before trying again"
			}
		}
	}
	return e
}

// oneLine collapses whitespace, drops trailing punctuation and truncates a server message.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.TrimRight(s, ".!;: ")
	if utf8.RuneCountInString(s) > maxMessage {
		r := []rune(s)
		s = string(r[:maxMessage]) + "…"
	}
	return s
}

// fmtDuration prints whole seconds as "60s" rather than time.Duration's "1m0s".
func fmtDuration(d time.Duration) string {
	if d >= time.Second && d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}
