package llm

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"github.com/openai/openai-go/v3/packages/ssestream"
)

// fail turns the error that ended an attempt into what Stream returns.
func (s *streamState) fail(ctx context.Context, resp *http.Response, wd *watchdog, err error) error {
	host := s.c.host
	switch {
	case s.userErr != nil:
		return s.userErr
	case ctx.Err() != nil:
		return fmt.Errorf("model request to %s: %w", host, ctx.Err())
	case wd.fired.Load():
		return &Error{Kind: KindStalled, Host: host, Status: wd.status, stall: wd.d, bytes: wd.bytes, Err: errStalled,
			Message: "no data for " + fmtDuration(wd.d), Hint: "the model server may be overloaded; try again"}
	}
	if resp != nil && resp.StatusCode >= 400 {
		// OpenAI's error body, or one in another shape: a proxy's HTML page, vLLM's
		// top-level message.
		e := statusError(host, resp.StatusCode, bodyMessage(resp), resp.Header)
		e.Err = err
		return e
	}
	var se *ssestream.StreamError
	if errors.As(err, &se) {
		return &Error{Kind: KindServer, Host: host, Message: eventMessage(se.Event.Data), Err: err,
			Hint: "the model server failed mid-reply; try again"}
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syn) || errors.As(err, &typ) {
		return &Error{Kind: KindProtocol, Host: host, Message: "invalid chunk: " + err.Error(), Err: err, Hint: protocolHint}
	}
	if s.began {
		return &Error{Kind: KindDropped, Host: host, bytes: wd.bytes, Message: err.Error(), Err: err, Hint: "try again"}
	}
	return connectError(host, err)
}

const protocolHint = "check that the base URL points at an OpenAI-compatible API (it usually ends in /v1)"

// notSSE describes a 200 response in which no chat.completion.chunk was found.
func notSSE(host string, resp *http.Response, wd *watchdog) *Error {
	ct := "none"
	if resp != nil && resp.Header.Get("Content-Type") != "" {
		ct = resp.Header.Get("Content-Type")
	}
	return &Error{Kind: KindProtocol, Host: host, Hint: protocolHint,
		Message: fmt.Sprintf("not an openai event stream (content-type %s, %d bytes)", ct, wd.bytes)}
}

// connectFailure is a failure to reach the model host, classified: what an *Error of
// KindConnect says about it. A relay sends the one it met to its client as it is (see
// relayError), so that an error met through the relay reads as one met directly.
type connectFailure struct {
	Message string `json:"message,omitempty"`
	Hint    string `json:"hint,omitempty"`
	Retry   bool   `json:"retry,omitempty"`
}

// relayError is a failure to reach the model host that a relay met, and classified there.
type relayError struct {
	connectFailure
	Text string `json:"error"` // the error as the relay met it
}

func (e *relayError) Error() string { return "relay: " + e.Text }

// connectError classifies a failure to get any response at all.
func connectError(host string, err error) *Error {
	var f connectFailure
	if re := (*relayError)(nil); errors.As(err, &re) {
		f = re.connectFailure
	} else {
		f = classifyConnect(err)
	}
	return &Error{Kind: KindConnect, Host: host, Err: err, Message: f.Message, Hint: f.Hint, retry: f.Retry}
}

// classifyConnect sorts a failure to reach the host: refused, unresolved, untrusted or not
// TLS at all, timed out, closed early, or anything else.
func classifyConnect(err error) connectFailure {
	var f connectFailure
	inner := err
	var ue *url.Error
	if errors.As(err, &ue) {
		inner = ue.Err
	}
	var dnsErr *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	var netErr net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		f.Retry, f.Hint = true, "is the model server running? check the base URL"
	case errors.As(err, &dnsErr):
		f.Message = "cannot resolve " + dnsErr.Name + ": " + dnsErr.Err
		f.Retry, f.Hint = dnsErr.IsTimeout || dnsErr.IsTemporary, "check the base URL and the network"
	case errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &certErr):
		f.Message, f.Hint = "tls handshake failed: "+inner.Error(), "the server's certificate is not trusted"
	case errors.As(err, &recErr), errors.Is(err, http.ErrSchemeMismatch):
		f.Message, f.Hint = "tls handshake failed: the server does not speak tls", "use http:// for this server"
	case errors.As(err, &netErr) && netErr.Timeout():
		f.Message, f.Retry = "connection timed out", true
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		f.Message, f.Retry = "closed the connection before answering", true
	default:
		f.Message = inner.Error()
	}
	return f
}

// bodyMessage extracts a server's error message from the error formats seen in the wild:
// OpenAI's {"error":{"message":...}}, ollama's {"error":"..."}, vLLM's {"message":...},
// FastAPI's {"detail":...}; otherwise the start of the body as text.
func bodyMessage(resp *http.Response) string {
	if resp == nil || resp.Body == nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	var v struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(b, &v) == nil {
		var inner struct {
			Message string `json:"message"`
		}
		var s string
		switch {
		case json.Unmarshal(v.Error, &inner) == nil && inner.Message != "":
			return inner.Message
		case json.Unmarshal(v.Error, &s) == nil && s != "":
			return s
		case v.Message != "":
			return v.Message
		case json.Unmarshal(v.Detail, &s) == nil && s != "":
			return s
		case len(v.Detail) > 0:
			return string(v.Detail)
		}
	}
	text := strings.TrimSpace(string(b))
	if strings.HasPrefix(text, "<") || strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "html") {
		return "" // an HTML error page says no more than the status
	}
	return text
}

// eventMessage extracts the message of an error event sent inside the stream.
func eventMessage(data []byte) string {
	var v struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
		Message string `json:"message"` // {"object":"error","message":...}
	}
	if json.Unmarshal(data, &v) == nil {
		if v.Error.Message != "" {
			return v.Error.Message
		}
		if v.Message != "" {
			return v.Message
		}
	}
	return strings.TrimSpace(string(data))
}
