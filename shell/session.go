package shell

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
)

// keepRecords is how many records a session keeps; older ones are dropped.
const keepRecords = 100

// session is the private directory of one spark shell and the records stored in it.
type session struct {
	dir   string
	nonce string

	mu      sync.Mutex // guards pending and the pending file
	pending int
	jobs    chan recordJob
	done    chan struct{}
	red     *Redactor
	stored  int // lines in the records file
	storeMu sync.Mutex
	// storeErr is the first failure to store a record, reported once when the session ends;
	// written by store only, read after done is closed.
	storeErr error
}

// newSession creates a private session directory (0700) under $XDG_RUNTIME_DIR/spark, or
// under the state directory ($XDG_STATE_HOME/spark/sessions, ~/.local/state/spark/sessions) when
// there is no runtime directory, and removes the directories of sessions whose process has died.
// A base directory that is not this user's, or that others can write to, is passed over with a
// one-line warning (to warn, which may be nil).
func newSession(getenv func(string) string, environ []string, warn io.Writer) (*session, error) {
	bases, err := sessionsBases(getenv, warn)
	if err != nil {
		return nil, err
	}
	var base string
	for _, b := range bases {
		if err := os.MkdirAll(b, 0o700); err != nil {
			continue
		}
		if err := trustedDir(b); err != nil {
			if warn != nil {
				fmt.Fprintf(warn, "spark: warning: ignoring session directory %s\n", err)
			}
			continue
		}
		base = b
		break
	}
	if base == "" {
		return nil, fmt.Errorf("create session directory: no private place among %s", strings.Join(bases, ", "))
	}
	removeStale(base)
	nonce, err := randomHex(8)
	if err != nil {
		return nil, err
	}
	suffix, err := randomHex(4)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(base, fmt.Sprintf("%d-%s", os.Getpid(), suffix))
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create session directory: %w", err)
	}
	// Mkdir is subject to the umask; make sure the mode is exactly 0700.
	if err := os.Chmod(dir, 0o700); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("create session directory: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, pidFile), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("create session directory: %w", err)
	}
	s := &session{
		dir:   dir,
		nonce: nonce,
		jobs:  make(chan recordJob, 64),
		done:  make(chan struct{}),
		red:   newRedactor(environ),
	}
	go s.store()
	return s, nil
}

// sessionsBases are the directories that may hold the session directories, best first: the
// runtime directory when there is one of this user's (the XDG spec requires it to be owned by
// the user and 0700), then the state directory.
func sessionsBases(getenv func(string) string, warn io.Writer) ([]string, error) {
	var bases []string
	if d := getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(d) {
		err := trustedDir(d)
		var ue *UntrustedDirError
		switch {
		case err == nil:
			bases = append(bases, filepath.Join(d, "spark"))
		case errors.As(err, &ue) && warn != nil:
			fmt.Fprintf(warn, "spark: warning: ignoring runtime directory %s\n", err)
		}
	}
	if d := getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return append(bases, filepath.Join(d, "spark", "sessions")), nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return nil, fmt.Errorf("find a place for the session directory: %w", err)
		}
	}
	return append(bases, filepath.Join(home, ".local", "state", "spark", "sessions")), nil
}

// removeStale removes session directories left by sessions that were killed before they could
// clean up. A directory is stale when the process named in its pid file is gone.
func removeStale(base string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		pidPart, _, ok := strings.Cut(e.Name(), "-")
		if !ok || !e.IsDir() {
			continue
		}
		pid, err := strconv.Atoi(pidPart)
		if err != nil || alive(pid) {
			continue
		}
		os.RemoveAll(filepath.Join(base, e.Name()))
	}
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make session nonce: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// recordJob is a finished command on its way to the records file.
type recordJob struct {
	rec        Record
	head, tail []byte
	omitted    int64
	width      int
	secrets    []string // typed with echo off
}

// submit queues a finished command for storing. The pending file exists from now until it is
// stored, so that a reader started right after the command (spark fix) waits for it.
func (s *session) submit(j recordJob) {
	s.mu.Lock()
	s.pending++
	if s.pending == 1 {
		if f, err := os.OpenFile(filepath.Join(s.dir, pendingFile), os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
			f.Close()
		}
	}
	s.mu.Unlock()
	s.jobs <- j
}

// store cleans, redacts and appends the queued records until the queue is closed. A record that
// cannot be stored, even by a panic, is dropped and the rest go on, so that submit never blocks
// and the shell keeps running; the first failure is kept for the end of the session.
func (s *session) store() {
	defer close(s.done)
	for j := range s.jobs {
		if err := s.storeOne(j); err != nil && s.storeErr == nil {
			s.storeErr = err
		}
		s.mu.Lock()
		s.pending--
		if s.pending == 0 {
			os.Remove(filepath.Join(s.dir, pendingFile))
		}
		s.mu.Unlock()
	}
}

// storeOne builds and writes the record of one command.
func (s *session) storeOne(j recordJob) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store record: panic: %v\n%s", p, debug.Stack())
		}
	}()
	return s.write(buildRecord(j, s.red))
}

// write appends r to the records file, and rewrites the file with the newest keepRecords when it
// has grown to twice that.
func (s *session) write(r Record) error {
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("store record: %w", err)
	}
	line = append(line, '\n')
	path := filepath.Join(s.dir, recordsFile)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("store record: %w", err)
	}
	_, err = f.Write(line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store record: %w", err)
	}
	s.stored++
	if s.stored >= 2*keepRecords {
		if err := s.compact(path); err != nil {
			return fmt.Errorf("compact records: %w", err)
		}
	}
	return nil
}

func (s *session) compact(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	lines := strings.SplitAfter(string(b), "\n")
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	if len(lines) > keepRecords {
		lines = lines[len(lines)-keepRecords:]
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Join(lines, "")), 0o600); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	s.stored = len(lines)
	return nil
}

// close stores what is queued and removes the session directory. A failure to store a record
// is not its error: it is left in storeErr, for Run to report once.
func (s *session) close() error {
	close(s.jobs)
	<-s.done
	if err := os.RemoveAll(s.dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove session directory: %w", err)
	}
	return nil
}

// buildRecord turns a finished capture into a stored record: output cleaned and bounded, secrets
// redacted from command and output.
func buildRecord(j recordJob, red *Redactor) Record {
	r := j.rec
	out, truncated := boundOutput(j.head, j.tail, j.omitted, j.width)
	red.Learn(r.Command)
	r.Output = red.redact(out, j.secrets)
	r.Command = red.redact(r.Command, j.secrets)
	r.Truncated = truncated
	return r
}

// boundOutput cleans the raw head and tail of an output and keeps at most headKeep + tailKeep bytes
// of text, saying how much was left out.
func boundOutput(head, tail []byte, omitted int64, width int) (string, bool) {
	if omitted == 0 {
		whole := append(append(make([]byte, 0, len(head)+len(tail)), head...), tail...)
		text := cleanOutput(whole, width)
		if len(text) <= headKeep+tailKeep {
			return text, false
		}
		return cutMiddle(text[:len(text)/2], text[len(text)/2:], 0), true
	}
	// The tail starts in the middle of something: drop its first, partial line.
	if i := strings.IndexByte(string(tail), '\n'); i >= 0 {
		omitted += int64(i + 1)
		tail = tail[i+1:]
	}
	return cutMiddle(cleanOutput(head, width), cleanOutput(tail, width), omitted), true
}

// cutMiddle keeps the first headKeep bytes of head and the last tailKeep bytes of tail, on line
// boundaries where possible, joined by a line that says what was left out.
func cutMiddle(head, tail string, omitted int64) string {
	if len(head) > headKeep {
		cut := headKeep
		if i := strings.LastIndexByte(head[:cut], '\n'); i > headKeep/2 {
			cut = i
		}
		omitted += int64(len(head) - cut)
		head = validUTF8Prefix(head[:cut])
	}
	if len(tail) > tailKeep {
		cut := len(tail) - tailKeep
		if i := strings.IndexByte(tail[cut:], '\n'); i >= 0 && i < tailKeep/2 {
			cut += i + 1
		}
		omitted += int64(cut)
		tail = strings.ToValidUTF8(tail[cut:], "")
	}
	return fmt.Sprintf("%s\n[... %d bytes of output left out ...]\n%s", strings.TrimRight(head, "\n"), omitted, tail)
}

// validUTF8Prefix drops a rune cut in half at the end of s.
func validUTF8Prefix(s string) string {
	return strings.ToValidUTF8(s, "")
}
