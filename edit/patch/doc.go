// Package patch turns a coding model's reply into a patch and applies it to file text.
//
// Four reply formats are understood (see Format): V4A (apply_patch), SEARCH/REPLACE blocks,
// whole-file replacement and unified diffs. Parse reads a complete reply; a Parser reads one as
// it streams, emitting an Event per line so that the patch can be shown while it arrives, and an
// EvHunkDone as soon as each hunk is complete so that it can be checked at once. The parser
// tolerates what models really write: markdown fences and prose around the patch, padded
// markers, unified "@@ -1,3 +1,4 @@" headers, a/ and b/ prefixes, empty lines inside hunks,
// CRLF replies and a missing final newline or end marker. Parser.Err reports a malformed reply
// at once, so that a caller can stop the stream.
//
// A Matcher locates each hunk in the file on a ladder of ever more lenient comparisons (exact,
// trailing whitespace ignored, indentation ignored with the new lines re-indented to the file's
// real indentation, Unicode punctuation folded) and refuses a hunk that matches in more than one
// place once @@ anchors and the previous hunk's position have narrowed it down: it never
// guesses. A hunk whose new text is already in the file is a no-op. Errors are *HunkError values
// that carry what a model needs to repair the hunk. Line endings, BOM and final newline of the
// file are kept.
//
// Unified and Stat show an applied change as a unified diff and line counts. Convert gives a
// whole-file replacement the original file's line endings and BOM.
//
// The package does no I/O: text in, text out.
package patch
