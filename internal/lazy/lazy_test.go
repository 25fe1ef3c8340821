package lazy

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

var word = &Regexp{Expr: `^[a-z]+$`}

func TestRegexp(t *testing.T) {
	if !word.Get().MatchString("abc") || word.Get().MatchString("ab1") {
		t.Fatal("the compiled expression does not match as written")
	}
	if word.Get() != word.Get() {
		t.Error("Get compiles again instead of keeping the expression")
	}
}

func TestRegexpInvalidPanics(t *testing.T) {
	bad := &Regexp{Expr: `(`}
	for i := range 2 {
		func() {
			defer func() {
				if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "missing closing )") {
					t.Errorf("call %d of Get on an invalid expression: panic %v, want the compile error", i+1, p)
				}
			}()
			bad.Get()
		}()
	}
}

func TestValueOnce(t *testing.T) {
	calls := 0
	v := &Value[[]int]{New: func() []int { calls++; return []int{1, 2} }}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := v.Get(); len(got) != 2 {
				t.Errorf("Get = %v", got)
			}
		}()
	}
	wg.Wait()
	if calls != 1 {
		t.Errorf("New ran %d times, want once", calls)
	}
}
