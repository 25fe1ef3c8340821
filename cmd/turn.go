package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spark-cli/spark/edit"
	"github.com/spark-cli/spark/edit/patch"
	"github.com/spark-cli/spark/llm"
)

// errEarlyMismatch cancels a stream as soon as a streamed hunk is known not to apply, so the repair
// round starts at once instead of after the rest of a doomed reply.
var errEarlyMismatch = errors.New("edit did not apply")

// errNoEditInFormat is a reply that tried to use an edit format (it has fences or sentinels) but
// yielded no file edit.
var errNoEditInFormat = errors.New("the reply contains no edit in the requested format")

// refusedPathError is a patch that names a file the user did not ask to change.
type refusedPathError struct {
	path    string
	allowed []string
	reason  string
}

func (e *refusedPathError) Error() string {
	return fmt.Sprintf("refused: the reply %s %s, which was not named for editing", e.reason, e.path)
}

// noEditError is a reply without any edit in it: the model answered in words.
type noEditError struct{ prose string }

func (e *noEditError) Error() string { return "the reply contains no edit" }

// turn is one streamed reply: parsed as it arrives, rendered line by line, each hunk matched
// against its file the moment it is complete.
type turn struct {
	job      *patchJob
	live     bool
	out      io.Writer
	pal      *palette
	render   *liveRenderer
	parser   *patch.Parser
	files    []*edit.Target // patch file index -> target
	matchers map[*edit.Target]*patch.Matcher
	failure  error
	late     bool // check hunks only at the end (SPARK_NO_EARLY_CHECK=1, a diagnostic for the benchmark)
	prose    strings.Builder
	first    time.Time // when the first token arrived
}

func newTurn(j *patchJob, out io.Writer, pal *palette, live bool) *turn {
	t := &turn{job: j, live: live, out: out, pal: pal, matchers: map[*edit.Target]*patch.Matcher{},
		late: j.env.getenv("SPARK_NO_EARLY_CHECK") != ""}
	if live {
		t.render = newLiveRenderer(out, pal)
	}
	// Whatever format was asked for, the reply is read in the one it turns out to use: small
	// models mix them up. Only an explicit --format whole reads a bare fenced block as the file;
	// finish refuses a whole file that was not asked for.
	f := patch.FormatAuto
	if j.settings.Format == patch.FormatWhole {
		f = patch.FormatWhole
	}
	t.parser = patch.NewParser(f, t.event)
	return t
}

// stream sends the job's messages and feeds the reply through the parser as it arrives.
func (t *turn) stream(ctx context.Context) (llm.Result, error) {
	j := t.job
	req := llm.Request{Messages: j.messages}
	if j.settings.Prediction && j.whole && len(j.targets) == 1 {
		_, region, _ := j.targets[0].Region()
		req.Prediction = string(region)
	}
	var spin *spinner
	if t.live {
		since := j.start
		if j.turns > 0 {
			since = time.Now()
		}
		spin = startSpinner(t.out, t.pal, fmt.Sprintf("%s at %s", j.settings.Model, j.settings.host()), since)
	}
	res, err := j.client.Stream(ctx, req, func(delta string) error {
		if t.first.IsZero() {
			t.first = time.Now()
			spin.Stop()
		}
		t.parser.Feed(delta)
		if t.live {
			t.render.flush()
		}
		if t.failure == nil {
			t.failure = t.parser.Err()
		}
		if t.failure != nil && !t.late {
			return errEarlyMismatch
		}
		return nil
	})
	spin.Stop()
	return res, err
}

// event handles one parser event: render it, and check each completed hunk against its file.
func (t *turn) event(ev patch.Event) {
	if t.live {
		t.render.event(ev)
	}
	switch ev.Kind {
	case patch.EvProse:
		t.prose.WriteString(ev.Text)
		t.prose.WriteByte('\n')
	case patch.EvFile:
		tgt, err := t.target(ev.Path)
		switch ev.Op {
		case patch.OpAdd:
			tgt, err = nil, &refusedPathError{path: ev.Path, reason: "creates"}
		case patch.OpDelete:
			tgt, err = nil, &refusedPathError{path: ev.Path, reason: "deletes"}
		}
		for len(t.files) <= ev.File {
			t.files = append(t.files, nil)
		}
		t.files[ev.File] = tgt
		if err != nil && t.failure == nil {
			t.failure = err
		}
	case patch.EvHunkDone:
		if ev.File >= len(t.files) || t.files[ev.File] == nil {
			return
		}
		if err := t.matcher(t.files[ev.File]).Add(ev.Hunk); err != nil && t.failure == nil {
			t.failure = err
		}
	}
}

// target maps a path named in the reply to one of the job's targets, or refuses it.
func (t *turn) target(path string) (*edit.Target, error) {
	targets := t.job.targets
	// In filter mode the only target is stdin, whatever the model calls it; a SEARCH/REPLACE
	// block without a path line can only mean the one file there is.
	if t.job.filter || (path == "" && len(targets) == 1) {
		return targets[0], nil
	}
	clean := filepath.Clean(path)
	for _, tg := range targets {
		if filepath.Clean(tg.Path) == clean {
			return tg, nil
		}
	}
	refuse := &refusedPathError{path: path, reason: "edits"}
	for _, tg := range targets {
		refuse.allowed = append(refuse.allowed, tg.Path)
	}
	if filepath.IsAbs(path) {
		return nil, refuse
	}
	// A model sometimes drops leading directories ("edit.go" for "cmd/edit.go"): accept that
	// only when exactly one target fits.
	var found *edit.Target
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

func (t *turn) matcher(tg *edit.Target) *patch.Matcher {
	m := t.matchers[tg]
	if m == nil {
		_, region, _ := tg.Region()
		m = patch.NewMatcher(tg.Path, region)
		t.matchers[tg] = m
	}
	return m
}

// finish closes the parser and builds every new file in memory. Nothing is written here.
func (t *turn) finish(streamErr error) ([]edit.Change, error) {
	if t.failure != nil {
		return nil, t.failure
	}
	p, err := t.parser.Close()
	if t.failure != nil {
		return nil, t.failure
	}
	if err != nil || p == nil || len(p.Files) == 0 {
		if !strings.Contains(t.job.reply, "```") && !hasSentinel(t.job.reply) {
			return nil, &noEditError{prose: strings.TrimSpace(t.prose.String())}
		}
		if err == nil {
			err = errNoEditInFormat
		}
		return nil, err
	}
	whole := map[*edit.Target][]byte{}
	for i, fp := range p.Files {
		var tg *edit.Target
		if i < len(t.files) {
			tg = t.files[i]
		}
		if tg == nil {
			if tg, err = t.target(fp.Path); err != nil {
				return nil, err
			}
		}
		switch fp.Op {
		case patch.OpAdd:
			return nil, &refusedPathError{path: fp.Path, reason: "creates"}
		case patch.OpDelete:
			return nil, &refusedPathError{path: fp.Path, reason: "deletes"}
		}
		if fp.MoveTo != "" {
			return nil, &refusedPathError{path: fp.Path, reason: "moves"}
		}
		if fp.Whole {
			_, region, _ := tg.Region()
			// A lone code block is a whole file only when one was asked for: otherwise it is
			// most likely the changed snippet, and taking it as the file would delete the rest.
			if !t.job.whole {
				return nil, &patch.ParseError{Msg: fmt.Sprintf("the reply sent a code block for %s instead of an edit", fp.Path)}
			}
			if strings.TrimSpace(fp.Content) == "" && len(bytes.TrimSpace(region)) > 0 {
				return nil, &patch.ParseError{Msg: fmt.Sprintf("the reply sent an empty file for %s", fp.Path)}
			}
			// The whole file asked for by the repair round, not by the user: a reply that drops
			// most of the file is a snippet again, not the file.
			if t.job.settings.Format != patch.FormatWhole {
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
	var changes []edit.Change
	for _, tg := range t.job.targets {
		region, ok := whole[tg]
		if !ok {
			m := t.matchers[tg]
			if m == nil {
				continue
			}
			if region, err = m.Result(); err != nil {
				return nil, err
			}
		}
		next := tg.Splice(region)
		if !bytes.Equal(next, tg.Content) {
			changes = append(changes, edit.Change{Target: tg, New: next})
		}
	}
	return changes, nil
}

// hasSentinel reports whether a reply tried to use any edit format at all.
func hasSentinel(reply string) bool {
	for _, s := range []string{"*** Begin Patch", "*** Update File", "<<<<<<<", ">>>>>>>", "\n@@", "+++ "} {
		if strings.Contains(reply, s) {
			return true
		}
	}
	return false
}

// repairable reports whether another round with the model can fix err.
func repairable(err error) bool {
	var he *patch.HunkError
	var pe *patch.ParseError
	var re *refusedPathError
	return errors.As(err, &he) || errors.As(err, &pe) || errors.As(err, &re) ||
		errors.Is(err, errNoEditInFormat)
}

// repairHint is what the model is told about its failed edit.
func repairHint(err error) string {
	var he *patch.HunkError
	var re *refusedPathError
	switch {
	case errors.As(err, &he):
		return he.RepairHint()
	case errors.As(err, &re):
		return fmt.Sprintf("Your reply %s %s. Edit only these files: %s.", re.reason, re.path, strings.Join(re.allowed, ", "))
	}
	return fmt.Sprintf("The reply could not be read as an edit: %s. Use the edit format exactly as described.", err)
}
