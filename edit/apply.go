package edit

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spark-cli/spark/edit/patch"
)

// ErrEarlyMismatch is what Feed returns as soon as a streamed hunk is known not to apply, so
// that the caller stops the stream and the repair round starts at once instead of after the
// rest of a doomed reply. Finish then returns the reason.
var ErrEarlyMismatch = errors.New("edit did not apply")

// ErrNoEditInFormat is a reply that tried to use an edit format (it has fences or sentinels)
// but yielded no file edit.
var ErrNoEditInFormat = errors.New("the reply contains no edit in the requested format")

// RefusedPathError is a reply that creates, deletes, moves or edits a file the user did not
// name for editing.
// A Path of "" is an edit sent without a file name when there are several targets to choose
// from.
type RefusedPathError struct {
	Path    string
	Allowed []string // the paths that may change
	Reason  string   // what the reply did: "creates", "deletes", "moves" or "edits"
}

func (e *RefusedPathError) Error() string {
	if e.Path == "" {
		return "refused: the reply sent a file without naming it; name one of: " + strings.Join(e.Allowed, ", ")
	}
	return fmt.Sprintf("refused: the reply %s %s, which was not named for editing", e.Reason, e.Path)
}

// NoEditError is a reply without any edit in it: the model answered in words, which usually
// says that the instruction needs no change.
type NoEditError struct{ Prose string }

func (e *NoEditError) Error() string { return "the reply contains no edit" }

// ApplyOptions say how an Applier reads replies.
type ApplyOptions struct {
	// Filter says that the single target is stdin: whatever path the reply names is that one.
	Filter bool
	// Format is the edit format the prompt asked for. Only FormatWhole reads a bare fenced
	// block as the whole file, and starts out asking for whole files.
	Format Format
	// LateCheck checks hunks only when the reply is complete, never stopping the stream early
	// (a diagnostic: the benchmark measures what the early check saves).
	LateCheck bool
}

// An Applier turns a model's streamed replies into changes of the targets. Each reply is read
// as it arrives (Start, Feed, Finish): parsed into events for display, with every hunk matched
// against its file the moment it is complete. It maps the paths a reply names to the targets
// and refuses anything else (creating, deleting, moving or unnamed files), and it recognises a
// snippet passed off as the whole file. Between replies, Repair decides whether one more round
// with the model can help and what it is told.
//
// An Applier does no I/O: nothing is written, and the model is the caller's to reach.
type Applier struct {
	targets  []*Target
	opts     ApplyOptions
	whole    bool // the current reply is asked for whole files
	repaired bool

	// The current reply.
	view     view
	parser   *patch.Parser
	files    []*Target // patch file index -> target
	matchers map[*Target]*patch.Matcher
	inPlace  []*Target
	failure  error
	prose    strings.Builder
	reply    strings.Builder
}

// NewApplier returns an Applier for targets, ready for its first reply.
func NewApplier(targets []*Target, opts ApplyOptions) *Applier {
	a := &Applier{targets: targets, opts: opts, whole: opts.Format == FormatWhole}
	a.Start(nil)
	return a
}

// Start begins a new reply; onEvent, when not nil, receives what the reply says and changes, in
// order, to show it while it streams: its prose (EvProsePart as a line arrives, EvProse once
// complete), and for each file an EvFile and the hunks of its diff (EvHunk, EvContext, EvDelete,
// EvInsert). V4A and unified hunks are shown as the model wrote them; a SEARCH/REPLACE block and
// a whole file as their minimal diff against the text they replace, drawn while it arrives and
// completed by Finish.
func (a *Applier) Start(onEvent func(Event)) {
	a.view.reset(onEvent)
	a.files, a.failure, a.inPlace = nil, nil, nil
	a.matchers = map[*Target]*patch.Matcher{}
	a.prose.Reset()
	a.reply.Reset()
	// Whatever format was asked for, the reply is read in the one it turns out to use: small
	// models mix them up. Only an explicit FormatWhole reads a bare fenced block as the file;
	// Finish refuses a whole file that was not asked for.
	f := patch.FormatAuto
	if a.opts.Format == FormatWhole {
		f = patch.FormatWhole
	}
	a.parser = patch.NewParser(f, a.event)
	// A whole file sent without its name line takes the named file the prose mentions.
	paths := make([]string, len(a.targets))
	for i, tg := range a.targets {
		paths[i] = tg.Path
	}
	a.parser.SetFiles(paths)
	a.parser.StreamProse(onEvent != nil)
}

// Feed reads the next piece of the reply. It returns ErrEarlyMismatch once the reply is known
// to fail (a hunk that does not apply, a refused path, a malformed reply), unless
// ApplyOptions.LateCheck is set; the stream should stop then.
func (a *Applier) Feed(delta string) error {
	a.reply.WriteString(delta)
	a.parser.Feed(delta)
	if a.whole {
		a.view.candidate(a.parser, func(path string) *Target {
			tg, err := a.target(path)
			if err != nil {
				return nil
			}
			return tg
		})
	}
	if a.failure == nil {
		a.failure = a.parser.Err()
	}
	if a.failure != nil && !a.opts.LateCheck {
		return ErrEarlyMismatch
	}
	return nil
}

// Reply returns the raw text of the current reply so far.
func (a *Applier) Reply() string { return a.reply.String() }

// Prose returns the current reply's text outside the edit, trimmed: the model's explanation.
func (a *Applier) Prose() string { return strings.TrimSpace(a.prose.String()) }

// Prediction returns the text a whole-file reply is expected to resemble (the single target's
// region), for a server's Predicted Outputs; ok is false unless the current reply is asked for
// one whole file.
func (a *Applier) Prediction() (text string, ok bool) {
	if !a.whole || len(a.targets) != 1 {
		return "", false
	}
	_, region, _ := a.targets[0].Region()
	return string(region), true
}

// event handles one parser event: show it, and check each completed hunk against its file.
func (a *Applier) event(ev Event) {
	defer func() {
		var tg *Target
		if ev.File >= 0 && ev.File < len(a.files) {
			tg = a.files[ev.File]
		}
		if tg != nil {
			ev.Path = tg.Path // the file's own name, however the reply spelt it
		}
		a.view.event(ev, a.parser.Detected(), tg)
	}()
	switch ev.Kind {
	case patch.EvProse:
		a.prose.WriteString(ev.Text)
		a.prose.WriteByte('\n')
	case patch.EvFile:
		tgt, err := a.target(ev.Path)
		switch ev.Op {
		case patch.OpAdd:
			tgt, err = nil, &RefusedPathError{Path: ev.Path, Reason: "creates"}
		case patch.OpDelete:
			tgt, err = nil, &RefusedPathError{Path: ev.Path, Reason: "deletes"}
		}
		for len(a.files) <= ev.File {
			a.files = append(a.files, nil)
		}
		a.files[ev.File] = tgt
		if err != nil && a.failure == nil {
			a.failure = err
		}
	case patch.EvHunkDone:
		if ev.File >= len(a.files) || a.files[ev.File] == nil {
			return
		}
		if err := a.matcher(a.files[ev.File]).Add(ev.Hunk); err != nil && a.failure == nil {
			a.failure = err
		}
	}
}

// target maps a path named in the reply to one of the targets, or refuses it.
func (a *Applier) target(path string) (*Target, error) {
	targets := a.targets
	// In filter mode the only target is stdin, whatever the model calls it; a SEARCH/REPLACE
	// block without a path line can only mean the one file there is.
	if a.opts.Filter || (path == "" && len(targets) == 1) {
		return targets[0], nil
	}
	clean := filepath.Clean(path)
	for _, tg := range targets {
		if filepath.Clean(tg.Path) == clean {
			return tg, nil
		}
	}
	refuse := &RefusedPathError{Path: path, Reason: "edits"}
	for _, tg := range targets {
		refuse.Allowed = append(refuse.Allowed, tg.Path)
	}
	if filepath.IsAbs(path) {
		return nil, refuse
	}
	// A model sometimes drops leading directories ("edit.go" for "cmd/edit.go"): accept that
	// only when exactly one target fits.
	var found *Target
	if !strings.HasPrefix(clean, "..") {
		for _, tg := range targets {
			if strings.HasSuffix(filepath.Clean(tg.Path), string(filepath.Separator)+clean) {
				if found != nil {
					return nil, refuse
				}
				found = tg
			}
		}
	}
	if found == nil {
		return nil, refuse
	}
	return found, nil
}

func (a *Applier) matcher(tg *Target) *patch.Matcher {
	m := a.matchers[tg]
	if m == nil {
		_, region, _ := tg.Region()
		m = patch.NewMatcher(tg.Path, region)
		a.matchers[tg] = m
	}
	return m
}

// Finish closes the current reply and builds every new file in memory; nothing is written.
// It returns the changes (none when the edit is already there; see InPlace), or the reason the reply does
// not apply: a *NoEditError for a reply in words only, a *RefusedPathError, a
// *patch.HunkError, a *patch.ParseError, ErrNoEditInFormat, a *SyntaxError (a Go, JSON or
// TOML file that parsed and would not), or a *ControlError (which Repair does not take: it is
// refused, not repaired).
func (a *Applier) Finish() ([]Change, error) {
	if a.failure != nil {
		return nil, a.failure
	}
	p, err := a.parser.Close()
	a.view.endWhole()
	if a.failure != nil {
		return nil, a.failure
	}
	if err != nil || p == nil || len(p.Files) == 0 {
		reply := a.reply.String()
		if !strings.Contains(reply, "```") && !hasSentinel(reply) {
			return nil, &NoEditError{Prose: a.Prose()}
		}
		if err == nil {
			err = ErrNoEditInFormat
		}
		return nil, err
	}
	whole := map[*Target][]byte{}
	for i, fp := range p.Files {
		var tg *Target
		if i < len(a.files) {
			tg = a.files[i]
		}
		if tg == nil {
			if tg, err = a.target(fp.Path); err != nil {
				return nil, err
			}
		}
		switch fp.Op {
		case patch.OpAdd:
			return nil, &RefusedPathError{Path: fp.Path, Reason: "creates"}
		case patch.OpDelete:
			return nil, &RefusedPathError{Path: fp.Path, Reason: "deletes"}
		}
		if fp.MoveTo != "" {
			return nil, &RefusedPathError{Path: fp.Path, Reason: "moves"}
		}
		if fp.Whole {
			_, region, _ := tg.Region()
			// A lone code block is a whole file only when one was asked for: otherwise it is
			// most likely the changed snippet, and taking it as the file would delete the rest.
			if !a.whole {
				return nil, &patch.ParseError{Msg: fmt.Sprintf("the reply sent a code block for %s instead of an edit", fp.Path)}
			}
			if strings.TrimSpace(fp.Content) == "" && len(bytes.TrimSpace(region)) > 0 {
				return nil, &patch.ParseError{Msg: fmt.Sprintf("the reply sent an empty file for %s", fp.Path)}
			}
			// The whole file asked for by the repair round, not by the user: a reply that drops
			// most of the file is a snippet again, not the file.
			if a.opts.Format != FormatWhole {
				oldLines, newLines := bytes.Count(region, []byte("\n")), strings.Count(fp.Content, "\n")
				if oldLines >= 10 && newLines*2 < oldLines {
					return nil, &patch.ParseError{Msg: fmt.Sprintf("the reply sent %d lines for the %d of %s: a snippet, not the whole file", newLines, oldLines, fp.Path)}
				}
			}
			nc, err := patch.ApplyFile(tg.Path, region, fp)
			if err != nil {
				return nil, err
			}
			whole[tg] = nc
		}
	}
	var changes []Change
	for _, tg := range a.targets {
		region, ok := whole[tg]
		if !ok {
			m := a.matchers[tg]
			if m == nil {
				continue
			}
			if region, err = m.Result(); err != nil {
				return nil, err
			}
		}
		next := tg.Splice(region)
		if bytes.Equal(next, tg.Content) {
			a.inPlace = append(a.inPlace, tg)
			continue
		}
		changes = append(changes, Change{Target: tg, New: next})
	}
	// Control bytes in a text file are refused whole, never repaired: a model that sends them
	// is not to be asked for more.
	if err := CheckControls(changes); err != nil {
		return nil, err
	}
	// An edit that breaks a file that parsed goes to the repair round, never to disk.
	for _, c := range changes {
		if err := CheckSyntax(c.Target.Path, c.Target.Content, c.New); err != nil {
			return nil, err
		}
	}
	return changes, nil
}

// InPlace returns the targets that the last finished reply edited and that already read as the
// edit would leave them: the edit was in place before it came.
func (a *Applier) InPlace() []*Target { return a.inPlace }

// hasSentinel reports whether a reply tried to use any edit format at all.
func hasSentinel(reply string) bool {
	for _, s := range []string{"*** Begin Patch", "*** Update File", "<<<<<<<", ">>>>>>>", "\n@@", "+++ "} {
		if strings.Contains(reply, s) {
			return true
		}
	}
	return false
}
