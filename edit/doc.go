// Package edit turns the files a user names into a model prompt and the model's patch back into
// files on disk, safely.
//
// Resolve reads every target up front, so that a missing, binary, non-regular or oversized file
// fails before any request is sent. The prompt (SystemPrompt, UserPrompt) puts the stable part
// first so provider prompt caching hits. An Applier is fed the model's reply as it streams: it
// emits an Event per line for display, matches each hunk against its file as soon as it is
// complete (so that a caller can stop a doomed stream early), refuses any file the user did not
// name, and finishes into the Changes, or an error typed for the one repair round that Repair
// decides on and words. Commit writes all changes atomically and all-or-nothing,
// refusing when a file changed on disk since it was read, and records an undo journal that Undo
// restores byte for byte. The Applier runs CheckControls (a refusal) and CheckSyntax (an edit
// that leaves a Go, JSON or TOML file unparseable that parsed before: a *SyntaxError for the
// repair round) on every change it finishes. The patch formats
// themselves are parsed and matched by package edit/patch.
//
// Package edit knows nothing of the command line, terminals or the model client: the caller
// carries the model's deltas to the Applier.
package edit
