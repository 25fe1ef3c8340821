package cmd

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
	"github.com/spark-cli/spark/shell"
)

// TestUntrustedSessionIgnored checks that a SPARK_SESSION directory others can write to, or that
// belongs to another user, is ignored with one line of warning: its records are neither shown
// nor sent.
func TestUntrustedSessionIgnored(t *testing.T) {
	rec := shell.Record{Command: "make", Cwd: "/src", Status: 2, Start: time.Now(), Output: "planted.go:1: error"}
	writable := fakeSession(t, rec)
	if err := os.Chmod(writable, 0o777); err != nil {
		t.Fatal(err)
	}
	dirs := map[string]string{"writable by others": writable}
	if os.Getuid() == 0 {
		foreign := fakeSession(t, rec)
		if err := os.Chown(foreign, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		dirs["owned by uid 65534"] = foreign
	}
	for reason, dir := range dirs {
		srv := llmtest.NewServer(t)
		env := testEnv(t, srv.URL())
		env["SPARK_SESSION"] = dir
		code, out, errOut := runSpark(context.Background(), t, env, "history")
		if code != 1 || out != "" || !strings.Contains(errOut, "spark: warning: ignoring session directory "+dir+": "+reason) ||
			!strings.Contains(errOut, "not inside a spark shell session") || strings.Count(errOut, "\n") != 2 {
			t.Errorf("spark history in a session %s = %d, %q, %q; want a warning and no session", reason, code, out, errOut)
		}
		code, _, errOut = runFixWith(context.Background(), t, env, "", true, "fix")
		if code != 2 || !strings.Contains(errOut, "spark: warning: ignoring session directory") || len(srv.Requests()) != 0 {
			t.Errorf("spark fix in a session %s = %d, %q, %d requests; want a warning, a usage error and nothing sent", reason, code, errOut, len(srv.Requests()))
		}
	}
}
