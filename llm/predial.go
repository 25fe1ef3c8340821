package llm

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

const (
	dialTimeout = 10 * time.Second
	// maxPredialAge is how long a pre-dialed connection waits for its request; after that it
	// is closed, since servers drop connections that stay silent (and a fresh dial is safer).
	maxPredialAge = 30 * time.Second
)

// Predial starts the TCP connection (and for https the TLS handshake, offering HTTP/2) to the
// model host in the background, so that the first request finds it ready; it returns at once.
// Call it as early as possible, before reading files and building the prompt. It does nothing
// with a caller's Config.HTTPClient, when a proxy applies to the host, or when a pre-dial to
// the host is already pending. It never fails: if the host is unreachable, the request dials
// again and reports the error itself. An unused connection is closed after 30s.
//
// For https it also starts loading the system's root certificates, even through a proxy.
func (c *Client) Predial() {
	if c.predialer == nil || c.baseErr != nil {
		return
	}
	if c.base.Scheme == "https" && c.cfg.RootCAs == nil {
		go loadSystemRoots()
	}
	if proxy, err := http.ProxyFromEnvironment(&http.Request{URL: c.base}); proxy != nil || err != nil {
		return
	}
	c.predialer.start(c.base.Scheme, hostPort(c.base))
}

// loadSystemRoots loads the system's root certificates, which crypto/tls otherwise loads only
// when the server's certificate arrives, two round trips into the connection: parsing a few
// hundred certificates takes milliseconds (8 ms on a Debian machine), which this way overlap
// the TCP and TLS round trips instead of following them. x509 loads them once per process,
// whoever asks first; the others wait for that.
var systemRoots sync.Once

func loadSystemRoots() { systemRoots.Do(func() { _, _ = x509.SystemCertPool() }) }

// predialer is the dialing half of the default transport: its dial functions hand out a
// pre-dialed connection for their address when there is one.
type predialer struct {
	dialer  net.Dialer
	dial    func(ctx context.Context, network, addr string) (net.Conn, error) // dialer.DialContext; tests add latency
	tlsConf *tls.Config
	mu      sync.Mutex
	pending map[string]*pendingConn // by scheme + " " + host:port
}

type pendingConn struct {
	done chan struct{} // closed when the dial finished
	conn net.Conn
	err  error
}

func newPredialer(roots *x509.CertPool) *predialer {
	p := &predialer{
		dialer:  net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second},
		tlsConf: &tls.Config{RootCAs: roots, NextProtos: []string{"h2", "http/1.1"}},
		pending: map[string]*pendingConn{},
	}
	p.dial = p.dialer.DialContext
	return p
}

// transport returns an HTTP transport dialing through p. Compression is off so that no
// token ever waits in a gzip buffer.
func (p *predialer) transport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           p.dialContext,
		DialTLSContext:        p.dialTLSContext,
		TLSClientConfig:       p.tlsConf.Clone(), // used only for https through a proxy
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   dialTimeout,
		MaxIdleConns:          16,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
	}
}

// start dials addr in the background unless a dial for it is already pending.
func (p *predialer) start(scheme, addr string) {
	key := scheme + " " + addr
	p.mu.Lock()
	if _, ok := p.pending[key]; ok {
		p.mu.Unlock()
		return
	}
	pc := &pendingConn{done: make(chan struct{})}
	p.pending[key] = pc
	p.mu.Unlock()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
		defer cancel()
		if scheme == "https" {
			pc.conn, pc.err = p.tlsDial(ctx, addr)
		} else {
			pc.conn, pc.err = p.dial(ctx, "tcp", addr)
		}
		close(pc.done)
		time.AfterFunc(maxPredialAge, func() {
			if p.take(key) == pc && pc.conn != nil {
				pc.conn.Close()
			}
		})
	}()
}

// closePending closes every pre-dialed connection that no request has claimed.
func (p *predialer) closePending() {
	p.mu.Lock()
	pending := p.pending
	p.pending = map[string]*pendingConn{}
	p.mu.Unlock()
	for _, pc := range pending {
		go func() {
			<-pc.done
			if pc.conn != nil {
				pc.conn.Close()
			}
		}()
	}
}

// take removes and returns the pending dial for key, or nil.
func (p *predialer) take(key string) *pendingConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	pc := p.pending[key]
	delete(p.pending, key)
	return pc
}

// claim waits for the pending dial for key, if any, and returns its connection; nil means
// there was none or it failed, and the caller should dial itself.
func (p *predialer) claim(ctx context.Context, key string) (net.Conn, error) {
	pc := p.take(key)
	if pc == nil {
		return nil, nil
	}
	select {
	case <-pc.done:
		return pc.conn, nil // nil if the pre-dial failed: dial again and report that error
	case <-ctx.Done():
		go func() {
			<-pc.done
			if pc.conn != nil {
				pc.conn.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

func (p *predialer) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if conn, err := p.claim(ctx, "http "+addr); conn != nil || err != nil {
		return conn, err
	}
	return p.dial(ctx, network, addr)
}

func (p *predialer) dialTLSContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if conn, err := p.claim(ctx, "https "+addr); conn != nil || err != nil {
		return conn, err
	}
	return p.tlsDial(ctx, addr)
}

// tlsDial connects and completes the TLS handshake, offering h2 and http/1.1 by ALPN.
func (p *predialer) tlsDial(ctx context.Context, addr string) (net.Conn, error) {
	raw, err := p.dial(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	cfg := p.tlsConf.Clone()
	if host, _, err := net.SplitHostPort(addr); err == nil {
		cfg.ServerName = host
	}
	tc := tls.Client(raw, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, err
	}
	return tc, nil
}

// hostPort is the address the transport dials for u: host and port, the port defaulting by scheme.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}
