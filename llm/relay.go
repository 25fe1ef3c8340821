package llm

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A relay lets short-lived processes (one per suggestion, edit or fix) reach the model host
// without paying TCP and TLS set-up each time: a long-lived process (the spark shell session)
// listens on a unix socket and forwards their requests over its own kept-alive connections.
// The child speaks plain HTTP/1.1 on the socket and names the real origin in a header; the
// Authorization header travels as the child sent it, so the relay holds no key of its own.

const (
	// upstreamHeader carries the origin (scheme://host[:port]) a request on the socket is for.
	upstreamHeader = "Spark-Upstream"
	// relayErrorHeader marks a response that is the relay's own failure to reach the origin;
	// its JSON body describes the error so that the child can classify it as if it had dialed.
	relayErrorHeader = "Spark-Relay-Error"
	// relayHost is the Host of requests on the socket, which alone says where they go.
	relayHost = "spark-relay"
	// RelaySocketName is the name of the socket inside the relay's private directory.
	RelaySocketName = "model.sock"
	relayDirPrefix  = "relay-"

	// DefaultRewarmAfter is how long a relay waits without a request before it replaces its idle
	// connections with a freshly dialed one: servers and middleboxes close connections that stay
	// quiet, and a pre-dialed connection is closed after 30s.
	DefaultRewarmAfter = 25 * time.Second
	// DefaultKeepWarm is how long after the last request a relay goes on re-warming.
	DefaultKeepWarm = 10 * time.Minute

	// drainAfterDone bounds how long the rest of a complete reply is read after the client has
	// gone, so that the connection can be reused.
	drainAfterDone = time.Second
	// maxRelayBody bounds a request body; prompts are far smaller.
	maxRelayBody = 32 << 20
)

// RelayConfig says where a relay connects at once and how long it keeps connections warm.
type RelayConfig struct {
	// Warm is the base URL of the model host to dial at once and to keep a connection to;
	// empty for none. Every origin a request goes to is kept warm from then on.
	Warm string
	// RootCAs replaces the system roots for TLS to the model hosts; nil means the system pool.
	RootCAs *x509.CertPool
	// RewarmAfter is how long without a request before idle connections are replaced by a
	// fresh one. Zero means DefaultRewarmAfter.
	RewarmAfter time.Duration
	// KeepWarm is how long after the last request (or the start) connections are re-warmed;
	// after that the next request dials, and warming starts again. Zero means DefaultKeepWarm.
	KeepWarm time.Duration
}

// Relay serves model requests from other processes on a unix socket in a private directory
// and forwards them to the model hosts over kept-alive connections that it dials ahead of
// need. Its methods are safe for concurrent use.
type Relay struct {
	dir    string
	socket string
	srv    *http.Server
	p      *predialer
	tr     *http.Transport
	every  time.Duration
	keep   time.Duration

	mu     sync.Mutex
	warm   map[string]time.Time // "scheme host:port" -> when a request last went there
	last   time.Time            // when the last request ended (or the relay started)
	active int                  // requests in flight
	timer  *time.Timer
	closed bool
}

// privateDir checks that dir is a directory (not a link) owned by this user with no access for
// group or others.
func privateDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok || int(st.Uid) != os.Getuid() || fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s is not a private directory of this user", dir)
	}
	return nil
}

// ListenRelay creates a private directory (0700) inside parent, listens on a socket in it
// (RelaySocketName, 0600) and serves until Close. Directories in parent left by relays whose
// process has died are removed first. It fails if parent cannot be created or the socket
// cannot be listened on (a socket path is limited to about 100 bytes). An unusable
// cfg.Warm is ignored: requests still go wherever they name. It also fails if parent is not a
// directory of this user closed to everyone else.
func ListenRelay(parent string, cfg RelayConfig) (*Relay, error) {
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	// The parent may have existed already (a shared temp directory): it must be ours and
	// closed to others, or someone else could move the relay's directory away.
	if err := privateDir(parent); err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	removeStaleRelays(parent)
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	dir := filepath.Join(parent, fmt.Sprintf("%s%d-%s", relayDirPrefix, os.Getpid(), hex.EncodeToString(b[:])))
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	// Mkdir is subject to the umask; the directory is what keeps other users out.
	if err := os.Chmod(dir, 0o700); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("relay: %w", err)
	}
	socket := filepath.Join(dir, RelaySocketName)
	ln, err := net.Listen("unix", socket)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("relay: %w", err)
	}
	if err := os.Chmod(socket, 0o600); err != nil {
		ln.Close()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("relay: %w", err)
	}
	r := &Relay{
		dir:    dir,
		socket: socket,
		p:      newPredialer(cfg.RootCAs),
		every:  cfg.RewarmAfter,
		keep:   cfg.KeepWarm,
		warm:   map[string]time.Time{},
		last:   time.Now(),
	}
	if r.every <= 0 {
		r.every = DefaultRewarmAfter
	}
	if r.keep <= 0 {
		r.keep = DefaultKeepWarm
	}
	r.tr = r.p.transport()
	r.tr.MaxIdleConnsPerHost = 4
	r.srv = &http.Server{
		Handler:           r,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	if u, err := url.Parse(cfg.Warm); err == nil && cfg.Warm != "" && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		key := u.Scheme + " " + hostPort(u)
		r.warm[key] = r.last
		r.dial(key)
		r.mu.Lock()
		r.timer = time.AfterFunc(r.every, r.rewarm)
		r.mu.Unlock()
	}
	go r.srv.Serve(ln)
	return r, nil
}

// Socket returns the path of the relay's socket.
func (r *Relay) Socket() string { return r.socket }

// Close stops serving (requests in flight are cut), closes the connections to the model hosts
// and removes the relay's directory. Calling it more than once is harmless.
func (r *Relay) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	if r.timer != nil {
		r.timer.Stop()
	}
	r.mu.Unlock()
	err := r.srv.Close()
	r.tr.CloseIdleConnections()
	r.p.closePending()
	if rerr := os.RemoveAll(r.dir); err == nil && rerr != nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("relay: %w", err)
	}
	return nil
}

// dial pre-dials the origin behind key ("scheme host:port") unless a proxy applies to it.
func (r *Relay) dial(key string) {
	scheme, addr, _ := strings.Cut(key, " ")
	u := &url.URL{Scheme: scheme, Host: addr}
	if proxy, err := http.ProxyFromEnvironment(&http.Request{URL: u}); proxy != nil || err != nil {
		return
	}
	r.p.start(scheme, addr)
}

// rewarm runs when no request has ended for r.every: the idle connections may be closed by the
// server any moment now, so they are replaced by freshly dialed ones, for the origins used
// within r.keep.
func (r *Relay) rewarm() {
	r.mu.Lock()
	now := time.Now()
	if r.closed {
		r.mu.Unlock()
		return
	}
	if r.active > 0 || now.Sub(r.last) < r.every {
		r.timer.Reset(max(r.every-now.Sub(r.last), r.every/4))
		r.mu.Unlock()
		return
	}
	var keys []string
	for k, t := range r.warm {
		if now.Sub(t) < r.keep {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		r.timer = nil // the next request starts warming again
		r.mu.Unlock()
		return
	}
	r.timer.Reset(r.every)
	r.mu.Unlock()
	r.tr.CloseIdleConnections()
	r.p.closePending()
	for _, k := range keys {
		r.dial(k)
	}
}

// begin and end bracket a request to the origin behind key.
func (r *Relay) begin() {
	r.mu.Lock()
	r.active++
	r.mu.Unlock()
}

func (r *Relay) end(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.active--
	r.last = time.Now()
	r.warm[key] = r.last
	if r.timer == nil && !r.closed {
		r.timer = time.AfterFunc(r.every, r.rewarm)
	}
}

// hopHeaders are meaningful only on one connection and are not forwarded.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// ServeHTTP forwards one request to the origin named in its Spark-Upstream header and streams
// the response back as it arrives. When the client goes away before the reply is complete the
// upstream request is cancelled at once, so the server sees the disconnect; after a complete
// reply ([DONE]) the rest of the body is still read, so the connection can be reused.
func (r *Relay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	up, err := url.Parse(req.Header.Get(upstreamHeader))
	if err != nil || (up.Scheme != "http" && up.Scheme != "https") || up.Host == "" || up.User != nil {
		http.Error(w, "spark relay: missing or invalid "+upstreamHeader+" header", http.StatusBadRequest)
		return
	}
	r.begin()
	defer r.end(up.Scheme + " " + hostPort(up))

	ctx, cancel := context.WithCancel(context.WithoutCancel(req.Context()))
	defer cancel()
	var done atomic.Bool // the reply's [DONE] has been read
	stop := context.AfterFunc(req.Context(), func() {
		if done.Load() {
			time.AfterFunc(drainAfterDone, cancel)
			return
		}
		cancel()
	})
	defer stop()

	// The body is read whole first: the server may close it once the response has begun,
	// while the transport still checks it for its end, which would cost the connection. Whole,
	// it can also be sent again on a kept-alive connection the server closed meanwhile.
	body, err := io.ReadAll(io.LimitReader(req.Body, maxRelayBody+1))
	if err != nil || len(body) > maxRelayBody {
		http.Error(w, "spark relay: request body unreadable or too large", http.StatusBadRequest)
		return
	}
	out := req.Clone(ctx)
	out.RequestURI = ""
	out.URL.Scheme, out.URL.Host, out.Host = up.Scheme, up.Host, up.Host
	out.Header.Del(upstreamHeader)
	for _, h := range hopHeaders {
		out.Header.Del(h)
	}
	out.ContentLength = int64(len(body))
	out.Body, out.GetBody = nil, nil
	if len(body) > 0 {
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		out.Body, _ = out.GetBody()
	}
	resp, err := r.tr.RoundTrip(out)
	if err != nil {
		writeRelayError(w, err)
		return
	}
	defer resp.Body.Close()
	h := w.Header()
	for k, v := range resp.Header {
		h[k] = v
	}
	for _, k := range hopHeaders {
		h.Del(k)
	}
	w.WriteHeader(resp.StatusCode)
	rc := http.NewResponseController(w)
	rc.Flush()

	buf := make([]byte, 32<<10)
	var tail [16]byte
	gone := false
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			if n >= len(tail) {
				copy(tail[:], buf[n-len(tail):n])
			} else {
				k := copy(tail[:], tail[n:])
				copy(tail[k:], buf[:n])
			}
			if strings.Contains(string(tail[:]), "[DONE]") {
				done.Store(true)
			}
			if !gone {
				if _, werr := w.Write(buf[:n]); werr == nil {
					werr = rc.Flush()
					gone = werr != nil
				} else {
					gone = true
				}
				if gone && !done.Load() {
					return // cancel (deferred) ends the upstream request
				}
			}
		}
		if rerr == io.EOF {
			return
		}
		if rerr != nil {
			// End the response without its terminating chunk, so that the client sees the
			// reply break off as it did here rather than a complete body.
			panic(http.ErrAbortHandler)
		}
	}
}

// writeRelayError answers with the relay's failure to reach the origin, classified once, here,
// so that the client reports it as if it had dialed itself.
func writeRelayError(w http.ResponseWriter, err error) {
	b, _ := json.Marshal(relayError{connectFailure: classifyConnect(err), Text: err.Error()})
	w.Header().Set(relayErrorHeader, "1")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusBadGateway)
	w.Write(b)
}

// removeStaleRelays removes relay directories in parent whose process is gone.
func removeStaleRelays(parent string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), relayDirPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidPart, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidPart)
		if err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); err == nil || errors.Is(err, syscall.EPERM) {
			continue
		}
		os.RemoveAll(filepath.Join(parent, e.Name()))
	}
}
