package patch

// differ computes a line diff with Myers' O(ND) algorithm in linear space (the "middle snake"
// divide and conquer, as in GNU diff). When the edit distance gets large it stops looking for
// the optimal split and takes the furthest-reaching one, which keeps the worst case near
// O(N*limit) at the price of a slightly longer diff.
type differ struct {
	a, b   []int
	delA   []bool // a[i] is removed
	insB   []bool // b[j] is added
	fd, bd []int  // furthest x on each diagonal, forward and backward, offset by len(b)+1
	off    int
	limit  int
}

// diffInts marks the elements of a that are removed and of b that are added to turn a into b.
func diffInts(a, b []int) (delA, insB []bool) {
	n := len(a) + len(b) + 3
	d := &differ{
		a: a, b: b,
		delA: make([]bool, len(a)), insB: make([]bool, len(b)),
		fd: make([]int, n), bd: make([]int, n),
		off: len(b) + 1,
	}
	d.limit = 1
	for x := n; x != 0; x >>= 2 {
		d.limit <<= 1
	}
	d.limit = max(d.limit, 256)
	d.compare(0, len(a), 0, len(b))
	return d.delA, d.insB
}

func (d *differ) compare(xoff, xlim, yoff, ylim int) {
	for xoff < xlim && yoff < ylim && d.a[xoff] == d.b[yoff] {
		xoff++
		yoff++
	}
	for xoff < xlim && yoff < ylim && d.a[xlim-1] == d.b[ylim-1] {
		xlim--
		ylim--
	}
	switch {
	case xoff == xlim:
		for y := yoff; y < ylim; y++ {
			d.insB[y] = true
		}
	case yoff == ylim:
		for x := xoff; x < xlim; x++ {
			d.delA[x] = true
		}
	default:
		x, y := d.split(xoff, xlim, yoff, ylim)
		d.compare(xoff, x, yoff, y)
		d.compare(x, xlim, y, ylim)
	}
}

// split finds a point on an optimal (or, past the cost limit, a good) path from (xoff,yoff) to
// (xlim,ylim). The ends hold no common prefix or suffix.
func (d *differ) split(xoff, xlim, yoff, ylim int) (int, int) {
	a, b, off := d.a, d.b, d.off
	fd, bd := d.fd, d.bd
	dmin, dmax := xoff-ylim, xlim-yoff
	fmid, bmid := xoff-yoff, xlim-ylim
	fmin, fmax, bmin, bmax := fmid, fmid, bmid, bmid
	odd := (fmid-bmid)&1 != 0
	fd[off+fmid] = xoff
	bd[off+bmid] = xlim
	const inf = int(^uint(0) >> 1)
	for c := 1; ; c++ {
		if fmin > dmin {
			fmin--
			fd[off+fmin-1] = -1
		} else {
			fmin++
		}
		if fmax < dmax {
			fmax++
			fd[off+fmax+1] = -1
		} else {
			fmax--
		}
		for k := fmax; k >= fmin; k -= 2 {
			tlo, thi := fd[off+k-1], fd[off+k+1]
			x := thi
			if tlo >= thi {
				x = tlo + 1
			}
			y := x - k
			for x < xlim && y < ylim && a[x] == b[y] {
				x++
				y++
			}
			fd[off+k] = x
			if odd && bmin <= k && k <= bmax && bd[off+k] <= x {
				return x, y
			}
		}
		if bmin > dmin {
			bmin--
			bd[off+bmin-1] = inf
		} else {
			bmin++
		}
		if bmax < dmax {
			bmax++
			bd[off+bmax+1] = inf
		} else {
			bmax--
		}
		for k := bmax; k >= bmin; k -= 2 {
			tlo, thi := bd[off+k-1], bd[off+k+1]
			x := thi - 1
			if tlo < thi {
				x = tlo
			}
			y := x - k
			for x > xoff && y > yoff && a[x-1] == b[y-1] {
				x--
				y--
			}
			bd[off+k] = x
			if !odd && fmin <= k && k <= fmax && x <= fd[off+k] {
				return x, y
			}
		}
		if c >= d.limit {
			return d.heuristic(xoff, xlim, yoff, ylim, fmin, fmax, bmin, bmax)
		}
	}
}

// heuristic picks the forward or backward point that got furthest, for splits that are too
// expensive to do exactly.
func (d *differ) heuristic(xoff, xlim, yoff, ylim, fmin, fmax, bmin, bmax int) (int, int) {
	fxy, fx := -1, 0
	for k := fmax; k >= fmin; k -= 2 {
		x := min(d.fd[d.off+k], xlim)
		y := x - k
		if ylim < y {
			x, y = ylim+k, ylim
		}
		if fxy < x+y {
			fxy, fx = x+y, x
		}
	}
	bxy, bx := int(^uint(0)>>1), 0
	for k := bmax; k >= bmin; k -= 2 {
		x := max(xoff, d.bd[d.off+k])
		y := x - k
		if y < yoff {
			x, y = yoff+k, yoff
		}
		if x+y < bxy {
			bxy, bx = x+y, x
		}
	}
	if (xlim+ylim)-fxy < bxy-(xoff+yoff) {
		return fx, fxy - fx
	}
	return bx, bxy - bx
}

// intern maps equal strings of a and b to equal ints.
func intern(a, b []string) ([]int, []int) {
	ids := make(map[string]int, len(a)+len(b))
	conv := func(s []string) []int {
		r := make([]int, len(s))
		for i, l := range s {
			id, ok := ids[l]
			if !ok {
				id = len(ids)
				ids[l] = id
			}
			r[i] = id
		}
		return r
	}
	return conv(a), conv(b)
}

// pairLines returns, for each line of b, the index of the equal line of a it is kept as in a
// minimal diff, or -1 if it is added.
func pairLines(a, b []string) []int {
	ia, ib := intern(a, b)
	delA, insB := diffInts(ia, ib)
	r := make([]int, len(b))
	i := 0
	for j := range b {
		if insB[j] {
			r[j] = -1
			continue
		}
		for delA[i] {
			i++
		}
		r[j] = i
		i++
	}
	return r
}

// pairs returns, for each New line, the index of the Old line it keeps, or -1. Lines the patch
// marks as context are paired as marked, so that of two equal lines the one the patch keeps is
// kept, with its own line ending; between them, and in a hunk without marks, equal removed and
// added lines are paired by a line diff.
func (h *Hunk) pairs() []int {
	if !h.validMarks() {
		return pairLines(h.Old, h.New)
	}
	r := make([]int, len(h.New))
	i0, j0 := 0, 0
	run := func(i1, j1 int) {
		for k, o := range pairLines(h.Old[i0:i1], h.New[j0:j1]) {
			r[j0+k] = -1
			if o >= 0 {
				r[j0+k] = i0 + o
			}
		}
	}
	for j, o := range h.Same {
		if o >= 0 {
			run(o, j)
			r[j] = o
			i0, j0 = o+1, j+1
		}
	}
	run(len(h.Old), len(h.New))
	return r
}

// validMarks reports whether Same pairs every New line with increasing Old lines.
func (h *Hunk) validMarks() bool {
	if h.Same == nil || len(h.Same) != len(h.New) {
		return false
	}
	last := -1
	for j, o := range h.Same {
		if o < 0 {
			continue
		}
		if o <= last || o >= len(h.Old) || h.Old[o] != h.New[j] {
			return false
		}
		last = o
	}
	return true
}
