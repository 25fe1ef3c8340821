package llmtest

// StartTLS is Start over HTTPS with HTTP/2 enabled, for benchmarks that need the TLS handshake
// on the path: the client must trust Certificate (for a separate process, a PEM file of it
// named by SSL_CERT_FILE). The caller must Close it. The error is always nil today.
func StartTLS(steps ...Step) (*Server, error) {
	s := newServer(nil, steps)
	s.srv.EnableHTTP2 = true
	s.srv.StartTLS()
	return s, nil
}
