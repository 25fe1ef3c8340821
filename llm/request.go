package llm

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
)

// sdkVersion is the openai-go release whose Chat Completions request spark sends. It is the
// version in go.mod; TestRequestMatchesNewStreaming fails until the two agree.
const sdkVersion = "3.96.0"

// endpoint resolves the Chat Completions path against the base URL as openai-go does: the base
// path gains a trailing slash and "chat/completions" is resolved against it (dropping the base
// URL's query).
func endpoint(base *url.URL) *url.URL {
	b := *base
	if b.Path != "" && !strings.HasSuffix(b.Path, "/") {
		b.Path += "/"
	}
	return b.ResolveReference(&url.URL{Path: "chat/completions"})
}

// requestHeader is the header openai-go's ChatCompletionService sets on every request, with
// retries off and the key as a bearer token (none when the key is empty).
func requestHeader(apiKey string) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json")
	h.Set("User-Agent", "OpenAI/Go "+sdkVersion)
	h.Set("X-Stainless-Retry-Count", "0")
	h.Set("X-Stainless-Lang", "go")
	h.Set("X-Stainless-Package-Version", sdkVersion)
	h.Set("X-Stainless-Os", sdkOS())
	h.Set("X-Stainless-Arch", sdkArch())
	h.Set("X-Stainless-Runtime", "go")
	h.Set("X-Stainless-Runtime-Version", runtime.Version())
	if apiKey != "" {
		h.Set("Authorization", "Bearer "+apiKey)
	}
	return h
}

func sdkOS() string {
	switch runtime.GOOS {
	case "darwin":
		return "MacOS"
	case "linux":
		return "Linux"
	case "freebsd":
		return "FreeBSD"
	case "openbsd":
		return "OpenBSD"
	}
	return "Other:" + runtime.GOOS
}

func sdkArch() string {
	switch runtime.GOARCH {
	case "386":
		return "x32"
	case "amd64":
		return "x64"
	case "arm", "arm64":
		return runtime.GOARCH
	}
	return "other:" + runtime.GOARCH
}

// sameOriginOnly wraps hc so that it follows redirects only within the base URL's origin, as
// openai-go does: the key is never sent to another host, scheme or port.
func sameOriginOnly(hc *http.Client, origin *url.URL) *http.Client {
	c := *hc
	next := hc.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !sameOrigin(req.URL, origin) {
			return fmt.Errorf("redirect to %s refused: not the base url's origin", req.URL.Redacted())
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return fmt.Errorf("stopped after %d redirects", len(via))
		}
		return nil
	}
	return &c
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

// post sends the streaming request with the given body (from requestBody) through mw, the
// attempt's watchdog. A response is returned whatever its status; classify reads the body of
// an error status.
func (c *Client) post(ctx context.Context, body []byte, mw func(*http.Request, func(*http.Request) (*http.Response, error)) (*http.Response, error)) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = c.header.Clone()
	resp, err := mw(req, c.hc.Do)
	if err != nil {
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		return nil, err
	}
	return resp, nil
}
