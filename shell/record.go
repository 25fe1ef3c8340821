package shell

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Record is one command run in a spark shell session, as stored: already redacted, output cleaned
// and bounded.
type Record struct {
	Command  string        `json:"command"`     // as typed (multi-line commands keep their newlines)
	Cwd      string        `json:"cwd"`         // the directory it was started in
	Status   int           `json:"status"`      // exit status; 128+n when killed by signal n
	Start    time.Time     `json:"start"`       // when it started
	Duration time.Duration `json:"duration_ms"` // how long it ran; milliseconds in JSON
	// Output is what the command printed to the terminal as a reader saw it: escape sequences
	// removed, overwritten progress lines resolved, alternate-screen programs (vim, less) left
	// out. When long, only its head and tail are kept, with a line saying how much was left out.
	Output    string `json:"output"`
	Truncated bool   `json:"truncated"` // part of Output was left out
}

// recordJSON is Record's JSON form: the duration in milliseconds, which scripts read more easily
// than nanoseconds.
type recordJSON struct {
	Command    string    `json:"command"`
	Cwd        string    `json:"cwd"`
	Status     int       `json:"status"`
	Start      time.Time `json:"start"`
	DurationMS float64   `json:"duration_ms"`
	Output     string    `json:"output"`
	Truncated  bool      `json:"truncated"`
}

// MarshalJSON writes the record with its duration in milliseconds.
func (r Record) MarshalJSON() ([]byte, error) {
	return json.Marshal(recordJSON{r.Command, r.Cwd, r.Status, r.Start,
		float64(r.Duration.Microseconds()) / 1000, r.Output, r.Truncated})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (r *Record) UnmarshalJSON(b []byte) error {
	var j recordJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Record{j.Command, j.Cwd, j.Status, j.Start,
		time.Duration(j.DurationMS * float64(time.Millisecond)), j.Output, j.Truncated}
	return nil
}

// Files in a session directory.
const (
	recordsFile = "records.jsonl" // one JSON record per line, oldest first
	pendingFile = "pending"       // exists while a finished command is still being stored
	pidFile     = "pid"           // the session process
)

// EnvSession names the environment variable that holds the session directory in the shell and
// every process started from it.
const EnvSession = "SPARK_SESSION"

// SessionDir returns the directory of the spark shell session this process runs in, from
// SPARK_SESSION. It reports false when the variable is unset or names no live session (the
// directory is gone or the process that owns it has exited), and when the directory is not this
// user's own or others can write to it; LookupSession says which.
func SessionDir(getenv func(string) string) (string, bool) {
	dir, err := LookupSession(getenv)
	return dir, err == nil
}

// LookupSession returns the directory of the spark shell session this process runs in, from
// SPARK_SESSION. The error is an *UntrustedDirError when the directory exists but is not a
// directory of this user closed to writes by others (checked on every lookup, as ssh checks
// ~/.ssh), and another error when there is no live session.
func LookupSession(getenv func(string) string) (string, error) {
	dir := getenv(EnvSession)
	if dir == "" || !filepath.IsAbs(dir) {
		return "", errNoSession
	}
	if err := trustedDir(dir); err != nil {
		var ue *UntrustedDirError
		if errors.As(err, &ue) {
			return "", err
		}
		return "", errNoSession
	}
	b, err := os.ReadFile(filepath.Join(dir, pidFile))
	if err != nil {
		return "", errNoSession
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || !alive(pid) {
		return "", errNoSession
	}
	return dir, nil
}

// alive reports whether process pid exists.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// pendingWait bounds how long ReadRecords waits for a record still being stored.
const pendingWait = time.Second

// ReadRecords returns the records of the session in sessionDir, oldest first. A command that has
// just finished is stored within milliseconds; while one is being stored, ReadRecords waits for
// it (at most a second). A session with no commands yet has no records and no error; a directory
// that is not a session's gives an error that matches fs.ErrNotExist.
func ReadRecords(sessionDir string) ([]Record, error) {
	deadline := time.Now().Add(pendingWait)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(filepath.Join(sessionDir, pendingFile)); err != nil {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := trustedDir(sessionDir); err != nil {
		return nil, fmt.Errorf("read records: %w", err)
	}
	if _, err := os.Stat(filepath.Join(sessionDir, pidFile)); err != nil {
		return nil, fmt.Errorf("read records: %w", err)
	}
	b, err := os.ReadFile(filepath.Join(sessionDir, recordsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read records: %w", err)
	}
	// A last line without its newline is still being written; it is left for the next read.
	if i := bytes.LastIndexByte(b, '\n'); i < len(b)-1 {
		b = b[:i+1]
	}
	var recs []Record
	for line := 1; len(b) > 0; line++ {
		l, rest, _ := bytes.Cut(b, []byte("\n"))
		b = rest
		var r Record
		if err := json.Unmarshal(l, &r); err != nil {
			return recs, fmt.Errorf("read records: %s line %d: %w", filepath.Join(sessionDir, recordsFile), line, err)
		}
		recs = append(recs, r)
	}
	return recs, nil
}

// LastFailed returns the most recent record of a command that failed: a non-zero status other
// than an interrupt (Ctrl-C, 130) or a suspension (Ctrl-Z, 148), and not a spark command itself,
// so that "spark fix" after a failed fix still finds the original failure. It reports false when
// there is none.
func LastFailed(records []Record) (Record, bool) {
	for i := len(records) - 1; i >= 0; i-- {
		r := records[i]
		if r.Status == 0 || r.Status == signalStatus(syscall.SIGINT) || r.Status == signalStatus(syscall.SIGTSTP) {
			continue
		}
		if isSparkCommand(r.Command) {
			continue
		}
		return r, true
	}
	return Record{}, false
}

// isSparkCommand reports whether a command line runs spark itself.
func isSparkCommand(cmd string) bool {
	f := strings.Fields(cmd)
	for len(f) > 0 && strings.Contains(f[0], "=") { // VAR=value spark ...
		f = f[1:]
	}
	return len(f) > 0 && filepath.Base(f[0]) == "spark"
}

// Format renders the last max records (all when max <= 0), oldest first, as the text a prompt
// includes and "spark history" prints: for each, a header line with the directory, exit status
// and duration, the command after "$ ", and its output.
func Format(records []Record, max int) string {
	if max > 0 && len(records) > max {
		records = records[len(records)-max:]
	}
	var b strings.Builder
	for i, r := range records {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "# %s · exit %d · %s\n", r.Cwd, r.Status, formatDuration(r.Duration))
		lines := strings.Split(r.Command, "\n")
		b.WriteString("$ " + lines[0] + "\n")
		for _, l := range lines[1:] {
			b.WriteString("> " + l + "\n")
		}
		if r.Output != "" {
			b.WriteString(r.Output)
			if !strings.HasSuffix(r.Output, "\n") {
				b.WriteByte('\n')
			}
		}
	}
	return b.String()
}

// formatDuration rounds d for people: 12ms, 2.31s, 1m5s.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
