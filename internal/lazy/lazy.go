// Package lazy holds values made on their first use and declared so that starting the program
// runs no code for them. A package-level &lazy.Regexp{Expr: `...`} is laid out by the linker;
// the sync.OnceValue it replaces is a call that allocates while the program starts, in every
// command, for a value only some commands ever use.
package lazy

import (
	"regexp"
	"sync"
)

// Regexp is a regular expression compiled on first use.
type Regexp struct {
	Expr string

	once sync.Once
	re   *regexp.Regexp
	err  error
}

// Get returns the compiled expression. Like regexp.MustCompile, it panics if Expr is invalid,
// at every call; the tests that use each expression find that.
func (r *Regexp) Get() *regexp.Regexp {
	r.once.Do(func() { r.re, r.err = regexp.Compile(r.Expr) })
	if r.err != nil {
		panic("lazy.Regexp: " + r.err.Error())
	}
	return r.re
}

// Value is a value made by New on first use.
type Value[T any] struct {
	New func() T

	once sync.Once
	v    T
}

// Get returns the value, calling New the first time.
func (l *Value[T]) Get() T {
	l.once.Do(func() { l.v = l.New() })
	return l.v
}
