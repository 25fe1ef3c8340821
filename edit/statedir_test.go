package edit

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStateDir(t *testing.T) {
	tests := []struct {
		env     map[string]string
		want    string
		wantErr bool
	}{
		{env: map[string]string{"XDG_STATE_HOME": "/x/state", "HOME": "/home/u"}, want: "/x/state/spark"},
		{env: map[string]string{"XDG_STATE_HOME": "relative", "HOME": "/home/u"}, want: "/home/u/.local/state/spark"},
		{env: map[string]string{"HOME": "/home/u"}, want: "/home/u/.local/state/spark"},
		{env: map[string]string{}, wantErr: true},
		{env: map[string]string{"HOME": "relative"}, wantErr: true},
	}
	for _, tt := range tests {
		got, err := StateDir(func(k string) string { return tt.env[k] })
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("StateDir(%v) = %q, %v, want %q (error %v)", tt.env, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestSaveReply(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state")
	reply := "Here is the fix:\n*** Begin Patch\n*** Update File: a.go\n@@\n-x\n+y\n"
	seen := map[string]bool{}
	for range 3 {
		p, err := SaveReply(state, reply)
		if err != nil {
			t.Fatalf("SaveReply() = %v", err)
		}
		if filepath.Dir(p) != filepath.Join(state, "replies") || !strings.HasSuffix(p, ".txt") || seen[p] {
			t.Errorf("SaveReply() = %q, want a new .txt file under %s", p, filepath.Join(state, "replies"))
		}
		seen[p] = true
		if got := readFile(t, p); got != reply {
			t.Errorf("SaveReply() wrote %q, want %q", got, reply)
		}
		for path, want := range map[string]fs.FileMode{p: 0o600, filepath.Dir(p): fs.ModeDir | 0o700, state: fs.ModeDir | 0o700} {
			if fi, err := os.Stat(path); err != nil || fi.Mode() != want {
				t.Errorf("mode of %s = %v, %v, want %v", path, fi.Mode(), err, want)
			}
		}
	}
}
