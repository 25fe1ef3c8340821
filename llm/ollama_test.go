package llm

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestProbeOllama(t *testing.T) {
	ollama := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "Ollama is running")
	}))
	defer ollama.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<html>some other service</html>")
	}))
	defer other.Close()
	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts (in the kernel) but never answers
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()

	// The probe's timeout is generous so that a busy machine still answers within it; a
	// silent listener shows the timeout is kept: without it the probe would never return.
	const timeout = 500 * time.Millisecond
	tests := []struct {
		name string
		addr string
		want bool
	}{
		{"ollama", strings.TrimPrefix(ollama.URL, "http://"), true},
		{"another http server", strings.TrimPrefix(other.URL, "http://"), false},
		{"silent listener", silent.Addr().String(), false},
		{"closed port", closedAddr, false},
	}
	for _, tt := range tests {
		start := time.Now()
		got := probeOllama(context.Background(), tt.addr, timeout)
		d := time.Since(start)
		if got != tt.want {
			t.Errorf("probeOllama(%s) = %v, want %v", tt.name, got, tt.want)
		}
		if d > timeout+20*time.Second {
			t.Errorf("probeOllama(%s) took %v with a %v timeout", tt.name, d, timeout)
		}
	}
}

func TestLocalOllamaURL(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // no probe needed to check the URL
	u, ok := LocalOllama(ctx, 30*time.Millisecond)
	if u != "http://127.0.0.1:11434/v1" || ok {
		t.Errorf("LocalOllama(cancelled ctx) = %q, %v; want http://127.0.0.1:11434/v1, false", u, ok)
	}
}
