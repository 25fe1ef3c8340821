package shell

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	r := newRedactor([]string{
		"MY_API_TOKEN=tok-9f8e7d6c5b",
		"DB_PASSWORD=correct horse",
		"SSH_AUTH_SOCK=/run/user/1000/ssh",
		"KEYTIMEOUT=1",
		"HOME=/home/u",
		"PWD=/home/u/secret-project",
	})
	gh := "ghp_" + strings.Repeat("a1B2", 9)
	tests := []struct{ in, want string }{
		{"token is tok-9f8e7d6c5b here", "token is [REDACTED] here"},
		{"pw: correct horse", "pw: [REDACTED]"},
		{"socket /run/user/1000/ssh stays", "socket /run/user/1000/ssh stays"},
		{"cwd /home/u/secret-project", "cwd /home/u/secret-project"},
		{"export GITHUB_TOKEN=" + gh, "export GITHUB_TOKEN=[REDACTED]"},
		{"got " + gh + " back", "got [REDACTED] back"},
		{"AKIAIOSFODNN7EXAMPLE", "[REDACTED]"},
		{"key sk-proj-abcdefghijklmnopqrstuvwx", "key [REDACTED]"},
		{"xoxb-123456789012-abcdefABCDEF", "[REDACTED]"},
		{"glpat-abcdefghij0123456789", "[REDACTED]"},
		{"jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
			"jwt [REDACTED]"},
		{"git clone https://bob:s3cr3tpw@example.com/r.git", "git clone https://bob:[REDACTED]@example.com/r.git"},
		{"https://example.com/a@b stays", "https://example.com/a@b stays"},
		{"curl -H 'Authorization: Bearer abcdef123456789'", "curl -H 'Authorization: Bearer [REDACTED]'"},
		{"Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic [REDACTED]"},
		{"password=hunter2 user=bob", "password=[REDACTED] user=bob"},
		{`{"client_secret": "abc123xyz"}`, `{"client_secret": "[REDACTED]"}`},
		{"mysql --password hunter2 db", "mysql --password [REDACTED] db"},
		{"max_tokens=512", "max_tokens=512"},
		{"TOKEN=$GITHUB_TOKEN make", "TOKEN=$GITHUB_TOKEN make"},
		{"-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----\nafter",
			"-----BEGIN RSA PRIVATE KEY-----\n[REDACTED]\n-----END RSA PRIVATE KEY-----\nafter"},
		{"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1r (cut)", "-----BEGIN OPENSSH PRIVATE KEY-----\n[REDACTED]"},
		{"nothing to see", "nothing to see"},
	}
	for _, tt := range tests {
		if got := r.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := r.redact("typed hunter2abc then", []string{"hunter2abc"}); got != "typed [REDACTED] then" {
		t.Errorf("Redact with a typed secret = %q", got)
	}
}
