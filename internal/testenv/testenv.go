// Package testenv decides, for the project's tests, what to do when something a test needs from
// the machine is missing: a tool it runs, a pty, the go command.
//
// On a developer's machine such a test skips, saying what is missing. With
// SPARK_TEST_REQUIRE_TOOLS set to a non-empty value (CI sets it, after installing every tool the
// tests run) it fails instead, so a green run means every test really ran.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// RequireVar is the environment variable that turns a missing tool into a test failure.
const RequireVar = "SPARK_TEST_REQUIRE_TOOLS"

// Required reports whether missing tools fail tests instead of skipping them.
func Required() bool { return os.Getenv(RequireVar) != "" }

// LookPath returns the path of the command name that the test is about to run, looked up
// exactly as exec.Command will look it up. When it is not found the test is skipped, or
// failed when Required.
func LookPath(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "%s is not installed: %v", name, err)
	}
	return p
}

// Missing ends the test because something it needs from the machine is not there: a skip on a
// developer's machine, a failure when Required.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		t.Fatalf("%s (%s is set: every tool the tests run must be installed)", msg, RequireVar)
	}
	t.Skip(msg)
}

// SharedData returns the first "shared/<name>/data" directory found beside the module root or
// beside one of its parents, or "" when there is none. Such yardsticks (other tools' own test
// cases, streams recorded from real servers) are not part of the project: a test that reads
// them skips without them, whatever RequireVar says.
func SharedData(t testing.TB, name string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		up := filepath.Dir(dir)
		if up == dir {
			return ""
		}
		dir = up
	}
	for {
		up := filepath.Dir(dir)
		if up == dir {
			return ""
		}
		dir = up
		if fi, err := os.Stat(filepath.Join(dir, "shared", name, "data")); err == nil && fi.IsDir() {
			return filepath.Join(dir, "shared", name, "data")
		}
	}
}
