// Package shell runs the user's shell (bash, zsh or fish) inside a pseudo-terminal and records
// what happens in it, so that other commands know what just failed without running it again.
//
// Run starts the shell with hooks injected through the shell's own start-up mechanism (an
// rcfile for bash, a ZDOTDIR shim for zsh, --init-command for fish); no dotfile is edited and the
// prompt is left alone. The hooks report each command's start (text and directory) and end (exit
// status) with private escape sequences that carry a per-session nonce. The relay takes those out
// of the output stream, passes everything else through byte for byte, and stores a Record per
// command in a private session directory.
//
// Commands run inside the session find the directory through the SPARK_SESSION environment
// variable:
//
//	dir, ok := shell.SessionDir(os.Getenv)
//	if !ok {
//		// not inside a spark shell
//	}
//	records, err := shell.ReadRecords(dir) // oldest first
//	failed, ok := shell.LastFailed(records)
//	context := shell.Format(records, 5)   // what a prompt includes
//
// Records are safe to send as they are: the output is cleaned (escape sequences removed,
// overwritten progress lines resolved, alternate-screen programs such as vim or less left out),
// bounded to its head and tail, and redacted (known token shapes, private keys, URL credentials,
// Authorization headers, password=-style pairs, the values of secret-named environment variables,
// and anything typed while the terminal had echo off). Commands typed with a leading space are
// not recorded at all.
//
// Two smaller services for commands run from the shell: RunCommand runs a command in a process
// group of its own, with its output on one pipe and its status as the shell reports it, and
// LineReader reads one line at a time from a raw terminal with the usual editing keys and a
// history, telling Ctrl-C from Enter.
package shell
