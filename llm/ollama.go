package llm

import (
	"bytes"
	"context"
	"net"
	"time"
)

// OllamaAddr is where ollama listens by default.
const OllamaAddr = "127.0.0.1:11434"

// LocalOllama reports whether an ollama server answers on 127.0.0.1:11434 within timeout
// (30ms is plenty on one machine) and returns its OpenAI-compatible base URL
// "http://127.0.0.1:11434/v1". Answering means accepting a connection and replying to
// GET / with ollama's "Ollama is running", so another program on the port does not count.
// It reports false, with the URL still set, on any error or timeout, or when ctx is done.
func LocalOllama(ctx context.Context, timeout time.Duration) (string, bool) {
	return "http://" + OllamaAddr + "/v1", probeOllama(ctx, OllamaAddr, timeout)
}

// probeOllama asks addr for ollama's root page over a raw connection: cheaper than building
// an HTTP client for one request on the start-up path.
func probeOllama(ctx context.Context, addr string, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	req := "GET / HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: spark\r\nConnection: close\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		return false
	}
	var buf [512]byte
	n := 0
	for n < len(buf) {
		m, err := conn.Read(buf[n:])
		n += m
		if bytes.Contains(buf[:n], []byte("Ollama is running")) {
			return bytes.HasPrefix(buf[:n], []byte("HTTP/1.1 200 ")) || bytes.HasPrefix(buf[:n], []byte("HTTP/1.0 200 "))
		}
		if err != nil {
			return false
		}
	}
	return false
}
