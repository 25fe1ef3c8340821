package shell

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStoreSurvivesFailures checks that a record that cannot be stored, whether writing fails
// or building it panics, is dropped without stopping the records after it, leaves no pending
// file behind, and is reported once as the first failure.
func TestStoreSurvivesFailures(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(s *session)
		first   Record // fails to be stored
		wantErr string
		later   bool // a later record is stored
	}{
		{
			name:    "panic while building",
			setup:   func(s *session) { s.red = nil }, // redacting a non-empty command panics
			first:   Record{Command: "make"},
			wantErr: "store record: panic:",
			later:   true,
		},
		{
			name:    "write fails",
			setup:   func(s *session) { os.Mkdir(filepath.Join(s.dir, recordsFile), 0o700) }, // a directory in its place
			first:   Record{Command: "make"},
			wantErr: "store record:",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &session{dir: t.TempDir(), jobs: make(chan recordJob, 1), done: make(chan struct{}), red: newRedactor(nil)}
			os.WriteFile(filepath.Join(s.dir, pidFile), []byte("1\n"), 0o600)
			tt.setup(s)
			go s.store()
			s.submit(recordJob{rec: tt.first})
			s.submit(recordJob{rec: tt.first})
			s.submit(recordJob{rec: Record{Status: 3}}) // nothing to redact: stored when the file can be written
			close(s.jobs)
			<-s.done
			if s.storeErr == nil || !strings.HasPrefix(s.storeErr.Error(), tt.wantErr) {
				t.Fatalf("storeErr = %v, want %q...", s.storeErr, tt.wantErr)
			}
			if _, err := os.Stat(filepath.Join(s.dir, pendingFile)); !os.IsNotExist(err) {
				t.Errorf("pending file left behind: %v", err)
			}
			recs, _ := ReadRecords(s.dir)
			if got := len(recs) == 1 && recs[0].Status == 3; got != tt.later {
				t.Errorf("records after the failures = %+v, want the later one stored: %v", recs, tt.later)
			}
		})
	}
}
