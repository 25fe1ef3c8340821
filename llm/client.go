// Package llm is spark's model client: it streams Chat Completions from OpenAI-compatible
// servers (OpenAI, ollama, llama.cpp server, vLLM): the request openai-go's Chat Completions
// service sends, read with openai-go's SSE decoder (packages/ssestream), with
// stall detection, bounded retries before the stream begins, classified errors and a
// pre-dialed connection so that TCP and TLS set-up overlap the caller's own start-up work. A
// Relay lets short-lived processes share one warm connection; its failures to reach the host
// are classified once, where they happen, and read as a direct dial's. Facts about model
// families (IsOpenAIModel, IsReasoningModel, DefaultBaseURL, HostOf) live here, once.
//
// The package reads no environment variables and knows nothing of the command line: the
// caller resolves flags, environment and config files into a Config.
package llm

import (
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Config says which server and model to use and how patient to be.
type Config struct {
	// BaseURL is the API root, used exactly as given as openai-go does: requests go to
	// BaseURL + "/chat/completions", so OpenAI-compatible servers usually need the /v1.
	// Empty means OpenAI's https://api.openai.com/v1.
	BaseURL string
	// APIKey is sent as a bearer token; when empty no Authorization header is sent, which
	// local servers (ollama, llama.cpp, vLLM without --api-key) accept.
	APIKey string
	Model  string
	// StallTimeout is how long the server may send nothing, before the first byte of the
	// response or between chunks, before the request fails with KindStalled. Zero means 60s.
	StallTimeout time.Duration
	// MaxRetries is how often a request is sent again when it failed before any byte of the
	// stream arrived (connection refused or reset, 429, 5xx). Zero means 2; -1 means none.
	MaxRetries int
	// HTTPClient replaces the default client. The default uses spark's own transport, which
	// is what Predial warms up; with a custom client Predial does nothing.
	HTTPClient *http.Client
	// RootCAs replaces the system roots for the default transport (e.g. a self-signed
	// server's certificate). Nil means the system pool.
	RootCAs *x509.CertPool
}

// Defaults applied to zero Config fields.
const (
	DefaultStallTimeout = 60 * time.Second
	DefaultMaxRetries   = 2
)

// Client sends requests to one model server. It is safe for concurrent use.
type Client struct {
	cfg       Config
	host      string // host[:port] for messages
	base      *url.URL
	baseErr   error
	stall     time.Duration
	retries   int
	hc        *http.Client    // follows redirects only within the base URL's origin
	endpoint  *url.URL        // BaseURL + chat/completions; nil with an invalid BaseURL
	header    http.Header     // what openai-go sends on every request
	predialer *predialer      // nil with a caller's HTTPClient
	transport *http.Transport // nil with a caller's HTTPClient
	drains    sync.WaitGroup  // complete replies whose body end is still being read
}

// New returns a client for cfg. It does no I/O; an invalid BaseURL is reported by the first
// Stream as a KindConnect error.
func New(cfg Config) *Client {
	c := &Client{cfg: cfg, stall: cfg.StallTimeout, retries: cfg.MaxRetries}
	if c.stall <= 0 {
		c.stall = DefaultStallTimeout
	}
	switch {
	case c.retries == 0:
		c.retries = DefaultMaxRetries
	case c.retries < 0:
		c.retries = 0
	}
	raw := cfg.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	c.base, c.baseErr = url.Parse(raw)
	if c.baseErr != nil {
		c.baseErr = fmt.Errorf("invalid base url: %w", c.baseErr)
	} else if c.base.Scheme != "http" && c.base.Scheme != "https" || c.base.Host == "" {
		c.baseErr = fmt.Errorf("invalid base url %q: want http:// or https:// and a host", raw)
	}
	if c.baseErr != nil {
		c.host = raw
	} else {
		c.host = c.base.Host
	}

	hc := cfg.HTTPClient
	if hc == nil {
		c.predialer = newPredialer(cfg.RootCAs)
		c.transport = c.predialer.transport()
		hc = &http.Client{Transport: c.transport}
	}
	c.header = requestHeader(cfg.APIKey)
	if c.baseErr == nil {
		c.endpoint = endpoint(c.base)
		c.hc = sameOriginOnly(hc, c.base)
	}
	return c
}

// Host returns the host[:port] of the model server, as error messages name it.
func (c *Client) Host() string { return c.host }

// CloseIdleConnections closes the connections the default transport keeps for reuse, and a
// pre-dialed connection that no request has claimed. It does nothing with a caller's
// HTTPClient.
func (c *Client) CloseIdleConnections() {
	if c.transport == nil {
		return
	}
	c.transport.CloseIdleConnections()
	c.predialer.closePending()
}
