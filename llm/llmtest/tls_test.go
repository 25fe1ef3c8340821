package llmtest

import (
	"io"
	"strings"
	"testing"
)

func TestStartTLS(t *testing.T) {
	s, err := StartTLS(Step{Chunks: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, err := s.Client().Post(s.URL()+"/responses", "application/json", strings.NewReader(`{"model":"m","stream":true,"input":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Proto != "HTTP/2.0" || !strings.Contains(string(b), "response.completed") || s.Certificate() == nil {
		t.Errorf("StartTLS: %s, body %q", resp.Proto, b)
	}
}
