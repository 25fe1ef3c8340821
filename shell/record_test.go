package shell

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRecordJSON(t *testing.T) {
	r := Record{Command: "make", Cwd: "/src", Status: 2, Start: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Duration: 1500 * time.Millisecond, Output: "boom", Truncated: true}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"command":"make","cwd":"/src","status":2,"start":"2025-01-02T03:04:05Z","duration_ms":1500,"output":"boom","truncated":true}`
	if string(b) != want {
		t.Errorf("json.Marshal(record) = %s, want %s", b, want)
	}
	var back Record
	if err := json.Unmarshal(b, &back); err != nil || back != r {
		t.Errorf("json.Unmarshal = %+v, %v, want %+v", back, err, r)
	}
}

func TestReadRecords(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadRecords(filepath.Join(dir, "nope")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadRecords(missing) error = %v, want fs.ErrNotExist", err)
	}
	os.WriteFile(filepath.Join(dir, pidFile), []byte("1\n"), 0o600)
	if recs, err := ReadRecords(dir); err != nil || recs != nil {
		t.Errorf("ReadRecords(empty session) = %v, %v, want none", recs, err)
	}
	s := &session{dir: dir}
	s.write(Record{Command: "one"})
	s.write(Record{Command: "two", Status: 1})
	f, _ := os.OpenFile(filepath.Join(dir, recordsFile), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"command":"thr`) // being written
	f.Close()
	recs, err := ReadRecords(dir)
	if err != nil || len(recs) != 2 || recs[0].Command != "one" || recs[1].Command != "two" {
		t.Errorf("ReadRecords = %+v, %v, want one and two", recs, err)
	}
}

func TestCompact(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, pidFile), []byte("1\n"), 0o600)
	s := &session{dir: dir}
	for i := range 2*keepRecords + 5 {
		s.write(Record{Command: strconv.Itoa(i)})
	}
	recs, err := ReadRecords(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) > 2*keepRecords || recs[len(recs)-1].Command != strconv.Itoa(2*keepRecords+4) {
		t.Errorf("after compaction: %d records, last %q", len(recs), recs[len(recs)-1].Command)
	}
}

func TestLastFailed(t *testing.T) {
	recs := []Record{
		{Command: "make", Status: 2},
		{Command: "ls", Status: 0},
		{Command: "spark fix", Status: 1},
		{Command: "SPARK_MODEL=x /usr/bin/spark edit a b", Status: 1},
		{Command: "sleep 10", Status: 130},
		{Command: "vim", Status: 148},
	}
	if r, ok := LastFailed(recs); !ok || r.Command != "make" {
		t.Errorf("LastFailed = %q, %v, want make", r.Command, ok)
	}
	if _, ok := LastFailed(recs[1:2]); ok {
		t.Error("LastFailed(successes) reported a failure")
	}
}

func TestFormat(t *testing.T) {
	recs := []Record{
		{Command: "old", Cwd: "/a", Status: 0, Duration: time.Millisecond},
		{Command: "go test ./...", Cwd: "/src", Status: 1, Duration: 2314 * time.Millisecond, Output: "--- FAIL: TestX\nFAIL"},
		{Command: "for i in 1 2\ndo echo $i\ndone", Cwd: "/src", Status: 0, Duration: 5 * time.Millisecond, Output: "1\n2\n"},
	}
	want := `# /src · exit 1 · 2.31s
$ go test ./...
--- FAIL: TestX
FAIL

# /src · exit 0 · 5ms
$ for i in 1 2
> do echo $i
> done
1
2
`
	if got := Format(recs, 2); got != want {
		t.Errorf("Format(recs, 2) =\n%s\nwant\n%s", got, want)
	}
	if got := Format(recs, 0); !strings.HasPrefix(got, "# /a · exit 0 · 1ms\n$ old\n") {
		t.Errorf("Format(recs, 0) starts %q", got[:30])
	}
}

func TestSessionDir(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{EnvSession: dir}
	getenv := func(k string) string { return env[k] }
	if _, ok := SessionDir(getenv); ok {
		t.Error("SessionDir without a pid file reported a session")
	}
	os.WriteFile(filepath.Join(dir, pidFile), []byte(strconv.Itoa(os.Getpid())), 0o600)
	if got, ok := SessionDir(getenv); !ok || got != dir {
		t.Errorf("SessionDir = %q, %v, want %q, true", got, ok, dir)
	}
	os.WriteFile(filepath.Join(dir, pidFile), []byte("999999999"), 0o600)
	if _, ok := SessionDir(getenv); ok {
		t.Error("SessionDir of a dead session reported it alive")
	}
	env[EnvSession] = "relative/dir"
	if _, ok := SessionDir(getenv); ok {
		t.Error("SessionDir accepted a relative path")
	}
}

func TestNewSession(t *testing.T) {
	base := t.TempDir()
	// A stale session of a dead process is removed; a live one is kept.
	os.MkdirAll(filepath.Join(base, "spark", "999999999-dead"), 0o700)
	live := filepath.Join(base, "spark", strconv.Itoa(os.Getpid())+"-live")
	os.MkdirAll(live, 0o700)
	getenv := func(k string) string {
		if k == "XDG_RUNTIME_DIR" {
			return base
		}
		return ""
	}
	s, err := newSession(getenv, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("session directory mode = %v, %v, want 0700", fi.Mode(), err)
	}
	if _, err := os.Stat(filepath.Join(base, "spark", "999999999-dead")); !errors.Is(err, fs.ErrNotExist) {
		t.Error("stale session directory was not removed")
	}
	if _, err := os.Stat(live); err != nil {
		t.Error("live session directory was removed")
	}
	s.submit(recordJob{rec: Record{Command: "x", Status: 1}, head: []byte("out\r\n")})
	recs, err := ReadRecords(s.dir)
	if err != nil || len(recs) != 1 || recs[0].Output != "out" {
		t.Errorf("ReadRecords after submit = %+v, %v", recs, err)
	}
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.dir); !errors.Is(err, fs.ErrNotExist) {
		t.Error("session directory left after close")
	}
}
