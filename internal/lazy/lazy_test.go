package lazy

import (
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
	defer func() {
		if recover() == nil {
			t.Error("an invalid expression did not panic")
		}
	}()
	(&Regexp{Expr: `(`}).Get()
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
