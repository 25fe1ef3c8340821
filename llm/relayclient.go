package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// RelayClient returns an HTTP client, for Config.HTTPClient, that sends every request through
// the relay listening on socket: the request's own URL still names the model host, and the
// relay forwards it there, headers (the API key) included, over its warm connection. When
// nothing answers on the socket, the request goes straight to the model host instead. The
// relay's failures to reach the host come back classified as the relay met them, so Stream
// reports them as a direct dial would have.
//
// The socket must be the caller's own: see CheckRelaySocket.
func RelayClient(socket string) *http.Client {
	var d net.Dialer
	return &http.Client{Transport: &relayTransport{
		unix: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return d.DialContext(ctx, "unix", socket)
			},
			DisableCompression: true,
			MaxIdleConns:       2,
			IdleConnTimeout:    90 * time.Second,
		},
	}}
}

// CheckRelaySocket reports an error unless socket is a unix socket owned by the current user
// in a directory that only that user may enter: the API key is sent over it.
func CheckRelaySocket(socket string) error {
	fi, err := os.Lstat(socket)
	if err != nil {
		return fmt.Errorf("relay socket: %w", err)
	}
	if fi.Mode()&os.ModeSocket == 0 {
		return fmt.Errorf("relay socket %s: not a socket", socket)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Getuid() {
		return fmt.Errorf("relay socket %s: not owned by this user", socket)
	}
	di, err := os.Stat(filepath.Dir(socket))
	if err != nil {
		return fmt.Errorf("relay socket: %w", err)
	}
	if st, ok := di.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Getuid() || di.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("relay socket %s: its directory is not private", socket)
	}
	return nil
}

// relayTransport sends requests to the relay, or directly when the relay is gone.
type relayTransport struct {
	unix       *http.Transport
	directOnce sync.Once
	direct     *http.Transport
}

func (t *relayTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = "http", relayHost, relayHost
	r.Header.Set(upstreamHeader, req.URL.Scheme+"://"+req.URL.Host)
	resp, err := t.unix.RoundTrip(r)
	if err != nil {
		var op *net.OpError
		if !errors.As(err, &op) || op.Op != "dial" || req.GetBody == nil || req.Context().Err() != nil {
			return nil, err
		}
		// Nothing listens: the session ended or its relay failed. Go straight to the host.
		body, berr := req.GetBody()
		if berr != nil {
			return nil, err
		}
		d := req.Clone(req.Context())
		d.Body = body
		t.directOnce.Do(func() { t.direct = newPredialer(nil).transport() })
		return t.direct.RoundTrip(d)
	}
	if resp.Header.Get(relayErrorHeader) != "" {
		defer resp.Body.Close()
		re := &relayError{}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if json.Unmarshal(b, re) != nil {
			re = &relayError{connectFailure: connectFailure{Message: "relay: " + resp.Status}, Text: resp.Status}
		}
		return nil, re
	}
	resp.Request = req
	return resp, nil
}
