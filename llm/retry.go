package llm

import (
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Backoff between attempts: 100ms, 200ms, 400ms... with up to 25% jitter, and never more
// than maxRetryDelay. A server-requested Retry-After is honoured when it is at most
// maxRetryDelay; a longer one ends the retries at once, since waiting silently for half a
// minute is worse for the user than the error with its hint.
const (
	firstRetryDelay = 100 * time.Millisecond
	maxRetryDelay   = 4 * time.Second
)

// retryDelay returns how long to wait before attempt+1, and false if it should not be made.
func retryDelay(e *Error, attempt int) (time.Duration, bool) {
	if e.retryAfterSet {
		return e.retryAfter, e.retryAfter <= maxRetryDelay
	}
	d := maxRetryDelay
	if attempt < 16 {
		d = min(firstRetryDelay<<attempt, maxRetryDelay)
	}
	return d - rand.N(d/4+1), true
}

// parseRetryAfter reads Retry-After-Ms (OpenAI's, in milliseconds) or Retry-After (seconds
// or an HTTP date).
func parseRetryAfter(h http.Header) (time.Duration, bool) {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 && !math.IsInf(ms, 0) && !math.IsNaN(ms) {
			return durationOf(ms, time.Millisecond), true
		}
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 && !math.IsInf(s, 0) && !math.IsNaN(s) {
		return durationOf(s, time.Second), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// durationOf converts n units to a Duration, saturating instead of overflowing.
func durationOf(n float64, unit time.Duration) time.Duration {
	if f := n * float64(unit); f < float64(math.MaxInt64) {
		return time.Duration(f)
	}
	return math.MaxInt64
}

// sleep waits d or until ctx is done, returning ctx.Err() in the latter case.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
