// Package llmtest is a scripted fake of OpenAI's Chat Completions streaming API for tests and
// benchmarks. It speaks the real wire format byte for byte (server-sent events with
// chat.completion.chunk objects, the include_usage chunk, data: [DONE], OpenAI's error bodies),
// so clients are tested through their real HTTP and SDK path rather than through mocks. It
// answers the streaming Responses API (POST /v1/responses) from the same script too, for
// clients such as OpenAI's Codex CLI that speak only that.
//
// Each request is answered by the next Step of the script. A Server made with NewServer fails
// its test on a request beyond the script or to an unexpected path; one made with Start answers
// those with status 500 and records them.
package llmtest

import (
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Request is what the server recorded about one request.
type Request struct {
	Path         string
	Proto        string // "HTTP/1.1" or "HTTP/2.0"
	Header       http.Header
	Body         []byte         // raw request body
	JSON         map[string]any // Body decoded; nil if it was not a JSON object
	Arrived      time.Time      // when the handler saw the request (headers read)
	Disconnected time.Time      // when the client went away mid-reply; zero if it did not
	Done         time.Time      // when the last byte of a complete stream ([DONE], or response.completed) was flushed; zero if none was
	Step         int            // index of the script step that answered; -1 if none did
	Unexpected   string         // why the request was not expected; empty if it was
}

// Server is a running fake OpenAI server. Its methods are safe for concurrent use.
type Server struct {
	srv      *httptest.Server
	t        testing.TB // nil for servers made with Start
	conns    atomic.Int64
	arrived  chan Request
	closed   chan struct{}
	once     sync.Once
	mu       sync.Mutex
	steps    []Step
	next     int
	repeat   *Step
	reqs     []Request
	watchers map[int][]chan struct{}
}

// arrivedBuffer is how many arrivals Arrived holds for a reader; later ones are dropped
// rather than blocking the server.
const arrivedBuffer = 1024

// NewServer starts a plain-HTTP server answering with steps in order and closes it when the
// test ends. A request beyond the script or to a path other than /v1/chat/completions,
// /v1/responses or the same without /v1 fails the test (t.Errorf) and is answered with status 500.
func NewServer(t testing.TB, steps ...Step) *Server {
	t.Helper()
	s := newServer(t, steps)
	s.srv.Start()
	t.Cleanup(s.Close)
	return s
}

// NewTLSServer is NewServer over HTTPS with HTTP/2 enabled; the client must trust
// Certificate (or use Client).
func NewTLSServer(t testing.TB, steps ...Step) *Server {
	t.Helper()
	s := newServer(t, steps)
	s.srv.EnableHTTP2 = true
	s.srv.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// NewTLSServerHTTP1 is NewTLSServer offering only HTTP/1.1.
func NewTLSServerHTTP1(t testing.TB, steps ...Step) *Server {
	t.Helper()
	s := newServer(t, steps)
	s.srv.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// Start is NewServer without a test: unexpected requests are answered with status 500 and
// recorded with Request.Unexpected set. The caller must Close it. The error is always nil
// today; it is there so that callers need not change if listening can fail.
func Start(steps ...Step) (*Server, error) {
	s := newServer(nil, steps)
	s.srv.Start()
	return s, nil
}

// Listen is Start on a given address such as "127.0.0.1:8080"; it fails if the address
// cannot be listened on.
func Listen(addr string, steps ...Step) (*Server, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("llmtest: listen on %s: %w", addr, err)
	}
	s := newServer(nil, steps)
	s.srv.Listener.Close()
	s.srv.Listener = l
	s.srv.Start()
	return s, nil
}

func newServer(t testing.TB, steps []Step) *Server {
	s := &Server{
		t:        t,
		steps:    append([]Step(nil), steps...),
		arrived:  make(chan Request, arrivedBuffer),
		closed:   make(chan struct{}),
		watchers: map[int][]chan struct{}{},
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // clients that fail TLS on purpose are not news
	s.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	return s
}

// URL returns the base URL a client should use, ending in /v1 as OpenAI's does.
func (s *Server) URL() string { return s.srv.URL + "/v1" }

// Addr returns the host:port the server listens on.
func (s *Server) Addr() string { return s.srv.Listener.Addr().String() }

// Certificate returns the TLS server's certificate (nil for plain HTTP), for a client's root pool.
func (s *Server) Certificate() *x509.Certificate { return s.srv.Certificate() }

// Client returns an *http.Client configured for the server (trusting its certificate for TLS).
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Conns returns how many TCP connections the server has accepted so far.
func (s *Server) Conns() int { return int(s.conns.Load()) }

// Append adds steps to the end of the script while the server runs.
func (s *Server) Append(steps ...Step) {
	s.mu.Lock()
	s.steps = append(s.steps, steps...)
	s.mu.Unlock()
}

// Repeat makes the server answer every request beyond the script with step instead of
// treating it as unexpected.
func (s *Server) Repeat(step Step) {
	s.mu.Lock()
	s.repeat = &step
	s.mu.Unlock()
}

// Requests returns what has arrived so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Arrived delivers each request as it arrives (after its body is read; Request.Arrived is
// when its headers were). It holds up to 1024 unread arrivals; later ones are not delivered.
func (s *Server) Arrived() <-chan Request { return s.arrived }

// WaitDisconnect waits up to timeout for the client of request i (0-based, arrival order) to
// go away mid-reply and returns when it did; ok is false if it did not within timeout.
func (s *Server) WaitDisconnect(i int, timeout time.Duration) (at time.Time, ok bool) {
	s.mu.Lock()
	if i < len(s.reqs) && !s.reqs[i].Disconnected.IsZero() {
		at := s.reqs[i].Disconnected
		s.mu.Unlock()
		return at, true
	}
	ch := make(chan struct{})
	s.watchers[i] = append(s.watchers[i], ch)
	s.mu.Unlock()
	select {
	case <-ch:
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.reqs[i].Disconnected, true
	case <-time.After(timeout):
		return time.Time{}, false
	}
}

// Close stops the server: connections are closed, hanging replies end, and Close waits for
// the handlers to return. Calling it more than once is harmless.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closed)
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
}
