package main

import (
	"errors"
	"net"
	"sync"
	"time"
)

// delayProxy stands between a client and a local server and adds a round-trip time to the link:
// every read is forwarded RTT/2 later, in both directions, in order, without serialising the
// delays (a stream of small writes arrives as it would over a long wire, not RTT/2 apart).
//
// A userspace proxy cannot delay the TCP handshake: the kernel completes it on a local listener
// before accept returns, so the client's connect would take no time at all. The proxy stands in
// for it by holding the client's first bytes until one RTT after the connection was accepted,
// which is when a real connect would have let the client send them. (The kernel here has no
// netem qdisc, which would delay the packets themselves.)
type delayProxy struct {
	ln     net.Listener
	target string
	rtt    time.Duration
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]bool
}

// startDelayProxy listens on a free loopback port and forwards each connection to target.
func startDelayProxy(target string, rtt time.Duration) (*delayProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &delayProxy{ln: ln, target: target, rtt: rtt, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// Addr is the host:port clients connect to.
func (p *delayProxy) Addr() string { return p.ln.Addr().String() }

// Close stops accepting, closes every connection and waits for the forwarders.
func (p *delayProxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *delayProxy) track(c net.Conn, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.conns[c] = true
	} else {
		delete(p.conns, c)
	}
}

func (p *delayProxy) serve() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		accepted := time.Now()
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.track(client, true)
		p.track(server, true)
		var done sync.WaitGroup
		done.Add(2)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			done.Wait()
			client.Close()
			server.Close()
			p.track(client, false)
			p.track(server, false)
		}()
		go func() { defer done.Done(); p.forward(server, client, accepted.Add(p.rtt)) }()
		go func() { defer done.Done(); p.forward(client, server, time.Time{}) }()
	}
}

// forward copies src to dst, each read delivered RTT/2 after it was read (and not before hold).
// The end of src is passed on, after the data before it, as a half-close.
func (p *delayProxy) forward(dst, src net.Conn, hold time.Time) {
	type packet struct {
		data []byte
		due  time.Time
	}
	queue := make(chan packet, 4096)
	go func() {
		defer close(queue)
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				at := time.Now()
				if at.Before(hold) {
					at = hold
				}
				queue <- packet{buf[:n], at.Add(p.rtt / 2)}
			}
			if err != nil {
				return
			}
		}
	}()
	for pk := range queue {
		if d := time.Until(pk.due); d > 0 {
			time.Sleep(d)
		}
		if _, err := dst.Write(pk.data); err != nil {
			src.Close()
			for range queue {
			}
			return
		}
	}
	if tc, ok := dst.(*net.TCPConn); ok {
		if err := tc.CloseWrite(); err != nil && !errors.Is(err, net.ErrClosed) {
			dst.Close()
		}
		return
	}
	dst.Close()
}
