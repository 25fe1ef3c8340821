package edit

import (
	"strings"

	"github.com/spark-cli/spark/edit/patch"
)

// view turns the parser's events into what a reply changes, for display. V4A and unified hunks
// already say it and pass through. A SEARCH/REPLACE block and a whole file say only what the
// text becomes: they are drawn as their diff against what they replace (the SEARCH lines, the
// file), while the new lines arrive.
type view struct {
	emit func(Event)

	diff   *patch.LiveDiff // the block or whole file being drawn, nil if none
	at     Event           // the event that started it: its Path, File and Op go on its lines
	search bool            // diff is a SEARCH/REPLACE block; else a whole file
	old    []string        // the SEARCH lines, until the REPLACE lines start
	skip   int             // lines of a whole file already drawn from the parser's held block

	// A block the parser holds back as a possible whole file, drawn while it streams when a
	// whole file was asked for.
	cand     *patch.LiveDiff
	candPath string
}

func (v *view) reset(emit func(Event)) { *v = view{emit: emit} }

// event shows one parser event of a reply that uses format f; tg is the event's target, if known.
func (v *view) event(ev Event, f Format, tg *Target) {
	if v.emit == nil {
		return
	}
	switch ev.Kind {
	case EvProse, EvProsePart:
		v.endWhole()
	case EvFile:
		v.endWhole()
		if f == FormatWhole && tg != nil {
			if v.cand != nil && v.candPath == ev.Path {
				// Already drawn from the held block: the parser now replays its lines.
				v.diff, v.skip, v.cand = v.cand, v.cand.Lines(), nil
				v.at = ev
				return
			}
			v.emit(ev)
			v.at, v.search, v.skip = ev, false, 0
			v.diff = patch.NewLiveDiff(regionLines(tg), v.draw)
			return
		}
	case EvHunk:
		if f == FormatSearchReplace {
			v.at, v.search, v.old, v.diff = ev, true, nil, nil
			return
		}
	case EvDelete:
		if v.search && v.diff == nil {
			v.old = append(v.old, ev.Text)
			return
		}
	case EvInsert:
		if v.search && v.diff == nil {
			v.diff = patch.NewLiveDiff(v.old, v.draw)
		}
		if v.diff != nil {
			if v.skip > 0 {
				v.skip--
				return
			}
			v.diff.Add(ev.Text)
			return
		}
	case EvHunkDone:
		if v.search {
			if v.diff == nil {
				v.diff = patch.NewLiveDiff(v.old, v.draw)
			}
			v.diff.Close()
			v.diff, v.search, v.old = nil, false, nil
		}
	}
	v.emit(ev)
}

// candidate draws the lines the parser holds as a possible whole file of target tg (nil when
// there is none), from the first not drawn yet.
func (v *view) candidate(p *patch.Parser, tg func(path string) *Target) {
	if v.emit == nil || p.Detected() != FormatAuto {
		return
	}
	from := 0
	if v.cand != nil {
		from = v.cand.Lines()
	}
	path, lines, ok := p.WholeCandidate(from)
	if !ok || (v.cand != nil && path != v.candPath) {
		v.cand = nil // not a whole file after all: what was drawn stays, the rest is prose
		return
	}
	if v.cand == nil {
		t := tg(path)
		if t == nil {
			return
		}
		at := Event{Kind: EvFile, Path: path}
		v.emit(at)
		v.at, v.candPath = at, path
		v.cand = patch.NewLiveDiff(regionLines(t), v.draw)
	}
	for _, l := range lines {
		v.cand.Add(l)
	}
}

// endWhole draws the rest of the whole file being drawn: its block has ended.
func (v *view) endWhole() {
	if v.diff != nil && !v.search {
		v.diff.Close()
		v.diff = nil
	}
}

// draw passes on a line of a diff, as belonging to the file being drawn.
func (v *view) draw(ev Event) {
	ev.Path, ev.File, ev.Op = v.at.Path, v.at.File, v.at.Op
	v.emit(ev)
}

// regionLines returns the lines of the part of tg an edit replaces, without line endings, as
// the parser reads the lines of a reply.
func regionLines(tg *Target) []string {
	_, region, _ := tg.Region()
	s := strings.TrimPrefix(string(region), "\ufeff")
	if s == "" {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}
