package patch

import "sort"

// liveAnchor is the fewest new lines that, found once and only once among the old lines not yet
// settled, settle the diff up to them. Shorter runs recur too often ("}", "", "return nil") to
// say where the new text is; longer ones delay the drawing.
const liveAnchor = 4

// LiveDiff draws the line diff from a known old text to a new text that arrives line by line, as
// a V4A hunk would show it: EvHunk, EvContext, EvDelete and EvInsert events, with three lines
// of context around each change. A part of the diff is settled, and drawn, as soon as the new
// lines that follow it are found once and only once in the rest of the old text; Close diffs
// what is left. The drawing is a correct diff of the two texts, minimal (Myers) within each
// settled part; a model that repeats a block of the file elsewhere can make it longer than
// minimal, never wrong.
type LiveDiff struct {
	old  []string
	at   map[string][]int // old line -> its indexes, ascending
	new  []string
	o, n int // old[:o] and new[:n] are settled
	w    hunkWriter
}

// NewLiveDiff returns a LiveDiff from the old lines (without line endings) that calls emit for
// each event; emit's events carry only Kind and Text.
func NewLiveDiff(old []string, emit func(Event)) *LiveDiff {
	d := &LiveDiff{old: old, at: make(map[string][]int, len(old)), w: hunkWriter{emit: emit, context: diffContext}}
	for i, l := range old {
		d.at[l] = append(d.at[l], i)
	}
	return d
}

// Add takes the next line of the new text, without its line ending.
func (d *LiveDiff) Add(line string) {
	d.new = append(d.new, line)
	pending := len(d.new) - d.n
	if pending < liveAnchor {
		return
	}
	// Old positions where the last liveAnchor new lines end; each longer run keeps the
	// positions where it still matches, until one is left.
	last := len(d.new) - 1
	var ends []int
	at := d.at[line]
	for _, q := range at[sort.SearchInts(at, d.o+liveAnchor-1):] {
		if d.matches(q, last, liveAnchor) {
			ends = append(ends, q)
		}
	}
	for run := liveAnchor; len(ends) > 1 && run < pending; {
		run++
		kept := ends[:0]
		for _, q := range ends {
			if q-run+1 >= d.o && d.old[q-run+1] == d.new[last-run+1] {
				kept = append(kept, q)
			}
		}
		ends = kept
	}
	if len(ends) != 1 {
		return
	}
	// The run is the longest one that ends there (at least liveAnchor lines, within the
	// pending lines): everything before it is one changed region.
	q, run := ends[0], liveAnchor
	for run < pending && q-run >= d.o && d.old[q-run] == d.new[last-run] {
		run++
	}
	d.settle(q-run+1, len(d.new)-run)
	for ; d.o <= q; d.o, d.n = d.o+1, d.n+1 {
		d.w.equal(d.old[d.o])
	}
}

// matches reports whether the run lines of old ending at q equal those of new ending at j.
func (d *LiveDiff) matches(q, j, run int) bool {
	for k := 0; k < run; k++ {
		if d.old[q-k] != d.new[j-k] {
			return false
		}
	}
	return true
}

// settle draws the minimal diff of old[o:oEnd] and new[n:nEnd] and settles them.
func (d *LiveDiff) settle(oEnd, nEnd int) {
	a, b := d.old[d.o:oEnd], d.new[d.n:nEnd]
	i, j := 0, 0
	for _, c := range changes(a, b) {
		for ; i < c.a0; i, j = i+1, j+1 {
			d.w.equal(a[i])
		}
		for ; i < c.a1; i++ {
			d.w.change(EvDelete, a[i])
		}
		for ; j < c.b1; j++ {
			d.w.change(EvInsert, b[j])
		}
	}
	for ; i < len(a); i++ {
		d.w.equal(a[i])
	}
	d.o, d.n = oEnd, nEnd
}

// Close draws the rest of the diff: the new text is complete.
func (d *LiveDiff) Close() { d.settle(len(d.old), len(d.new)) }

// Lines returns how many new lines Add has taken.
func (d *LiveDiff) Lines() int { return len(d.new) }

// hunkWriter turns a stream of equal, removed and added lines into hunks with context lines of
// context, deciding each line as it comes: changes closer than twice the context share a
// hunk, as in Unified.
type hunkWriter struct {
	emit     func(Event)
	context  int      // lines of context around a change
	open     bool     // a hunk has been started
	trailing int      // context lines drawn since the hunk's last change
	held     []string // equal lines since then, not drawn yet: the last context ones
	gap      int      // equal lines since the last change beyond the trailing context
}

func (w *hunkWriter) equal(line string) {
	if w.open && w.trailing < w.context {
		w.trailing++
		w.emit(Event{Kind: EvContext, Text: line})
		return
	}
	w.gap++
	w.held = append(w.held, line)
	if len(w.held) > w.context {
		w.held = w.held[1:]
	}
}

func (w *hunkWriter) change(k EventKind, line string) {
	if !w.open || w.gap > w.context {
		w.emit(Event{Kind: EvHunk})
	}
	for _, l := range w.held {
		w.emit(Event{Kind: EvContext, Text: l})
	}
	w.held, w.gap, w.trailing, w.open = w.held[:0], 0, 0, true
	w.emit(Event{Kind: k, Text: line})
}
