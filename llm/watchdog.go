package llm

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/openai/openai-go/v3/option"
)

// errStalled is the cancellation cause the watchdog sets when the server went quiet.
var errStalled = errors.New("no data from the model server")

// watchdog cancels one attempt when the server sends nothing for d: before the response
// headers, or between two reads of the body. It costs one timer per attempt and one
// Reset per body read; no goroutine runs per chunk.
type watchdog struct {
	d     time.Duration
	timer *time.Timer
	fired atomic.Bool

	// Owned by the goroutine running the attempt (the middleware and the body reads run there).
	status int      // status of the response, 0 before headers
	bytes  int64    // body bytes read
	tail   [16]byte // the last body bytes read, to recognise a final [DONE]
	body   *watchBody
}

func newWatchdog(d time.Duration, cancel context.CancelCauseFunc) *watchdog {
	w := &watchdog{d: d}
	w.timer = time.AfterFunc(d, func() {
		w.fired.Store(true)
		cancel(errStalled)
	})
	return w
}

// stop releases the timer; the attempt is over.
func (w *watchdog) stop() { w.timer.Stop() }

// middleware is an openai-go middleware that starts counting again when the response
// headers arrive and wraps the body so that each read does.
func (w *watchdog) middleware(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	res, err := next(req)
	if err != nil || res == nil {
		return res, err
	}
	w.timer.Reset(w.d)
	w.status = res.StatusCode
	if res.Body != nil {
		w.body = &watchBody{rc: res.Body, w: w}
		res.Body = w.body
	}
	return res, nil
}

// sawDone reports whether the body ended with the data: [DONE] event.
func (w *watchdog) sawDone() bool {
	return bytes.Contains(w.tail[:], []byte("[DONE]"))
}

// watchBody resets the watchdog on every read that brings bytes.
type watchBody struct {
	rc io.ReadCloser
	w  *watchdog
}

func (b *watchBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		w := b.w
		w.timer.Reset(w.d)
		w.bytes += int64(n)
		if n >= len(w.tail) {
			copy(w.tail[:], p[n-len(w.tail):n])
		} else {
			k := copy(w.tail[:], w.tail[n:])
			copy(w.tail[k:], p[:n])
		}
	}
	return n, err
}

func (b *watchBody) Close() error { return b.rc.Close() }
