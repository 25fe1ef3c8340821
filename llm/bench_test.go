package llm

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
)

const benchTokens = 10000

// BenchmarkStreamTokens streams 10,000 four-byte chunks per op from llmtest at full speed.
// "stream" is Client.Stream; "raw-sse" reads the same bytes with net/http and a line scanner,
// the floor set by the server and the loopback. ns/token is the figure to watch.
func BenchmarkStreamTokens(b *testing.B) {
	srv, err := llmtest.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	srv.Repeat(llmtest.Step{Chunks: llmtest.Split(strings.Repeat("tok ", benchTokens), 4)})

	b.Run("stream", func(b *testing.B) {
		c := New(Config{BaseURL: srv.URL(), Model: "m"})
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			res, err := c.Stream(context.Background(), userMsg("x"), func(string) error { n++; return nil })
			if err != nil || n != benchTokens {
				b.Fatalf("Stream: %d deltas, %v", n, err)
			}
			_ = res
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchTokens), "ns/token")
	})
	b.Run("raw-sse", func(b *testing.B) {
		body := []byte(`{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}`)
		b.ReportAllocs()
		for b.Loop() {
			resp, err := http.Post(srv.URL()+"/chat/completions", "application/json", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			sc := bufio.NewScanner(resp.Body)
			n := 0
			for sc.Scan() {
				if bytes.HasPrefix(sc.Bytes(), []byte("data: ")) {
					n++
				}
			}
			resp.Body.Close()
			if n != benchTokens+4 {
				b.Fatalf("read %d events", n)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchTokens), "ns/token")
	})
}

// BenchmarkPredial measures a one-chunk request on a new client, from the Stream call to its
// return: "cold" connects inside Stream, "predialed" called Predial first and let it finish
// while the caller did its other work (the pipeline reads files and builds the prompt
// meanwhile). The difference is the set-up Predial takes off the critical path: a local TLS
// handshake, and a TCP connect with 5ms of simulated network round trip.
func BenchmarkPredial(b *testing.B) {
	tlsSrv := llmtest.NewTLSServer(b)
	tlsSrv.Repeat(llmtest.Step{Chunks: []string{"ok"}})
	pool := x509.NewCertPool()
	pool.AddCert(tlsSrv.Certificate())
	plainSrv := llmtest.NewServer(b)
	plainSrv.Repeat(llmtest.Step{Chunks: []string{"ok"}})

	rtt := func(p *predialer) {
		p.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			time.Sleep(5 * time.Millisecond) // SYN, SYN-ACK over a 5ms path
			return p.dialer.DialContext(ctx, network, addr)
		}
	}
	cases := []struct {
		name  string
		cfg   Config
		setup func(*predialer)
	}{
		{"tls-local", Config{BaseURL: tlsSrv.URL(), Model: "m", RootCAs: pool}, nil},
		{"tcp-rtt5ms", Config{BaseURL: plainSrv.URL(), Model: "m"}, rtt},
	}
	for _, tc := range cases {
		for _, pre := range []bool{false, true} {
			b.Run(tc.name+"/"+map[bool]string{false: "cold", true: "predialed"}[pre], func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					c := New(tc.cfg)
					if tc.setup != nil {
						tc.setup(c.predialer)
					}
					if pre {
						c.Predial()
						waitPredial(b, c)
					}
					b.StartTimer()
					if _, err := c.Stream(context.Background(), userMsg("x"), func(string) error { return nil }); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					c.CloseIdleConnections()
					b.StartTimer()
				}
			})
		}
	}
}

// BenchmarkRequestStart measures a new client's first request from the Stream call to its
// arrival at the server (headers read), the part of "process start to request at the
// server" that this package owns.
func BenchmarkRequestStart(b *testing.B) {
	srv, err := llmtest.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	srv.Repeat(llmtest.Step{Chunks: []string{"ok"}})
	var total time.Duration
	for b.Loop() {
		c := New(Config{BaseURL: srv.URL(), Model: "m"})
		start := time.Now()
		if _, err := c.Stream(context.Background(), userMsg("x"), func(string) error { return nil }); err != nil {
			b.Fatal(err)
		}
		total += (<-srv.Arrived()).Arrived.Sub(start)
		c.CloseIdleConnections()
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N), "µs-to-server")
}
