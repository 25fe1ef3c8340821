package llm

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// errStalled is the cancellation cause the watchdog sets when the server went quiet.
var errStalled = errors.New("no data from the model server")

// watchdog cancels one attempt when the server sends nothing for d: before the response
// headers, or between two reads of the body. It costs one timer per attempt and one
// Reset per body read; no goroutine runs per chunk.
type watchdog struct {
	d      time.Duration
	timer  *time.Timer
	fired  atomic.Bool
	cancel context.CancelCauseFunc
	drains *sync.WaitGroup // counts bodies still being drained after a complete reply

	// Owned by the goroutine running the attempt (the middleware and the body reads run there).
	status    int      // status of the response, 0 before headers
	bytes     int64    // body bytes read
	tail      [16]byte // the last body bytes read, to recognise a final [DONE]
	handedOff bool     // the body's drain goroutine cancels the attempt, not release
}

func newWatchdog(d time.Duration, cancel context.CancelCauseFunc, drains *sync.WaitGroup) *watchdog {
	w := &watchdog{d: d, cancel: cancel, drains: drains}
	w.timer = time.AfterFunc(d, func() {
		w.fired.Store(true)
		cancel(errStalled)
	})
	return w
}

// release ends the attempt: the timer stops and the request's context is cancelled, unless
// a completed body is still being drained for connection reuse.
func (w *watchdog) release() {
	w.timer.Stop()
	if !w.handedOff {
		w.cancel(nil)
	}
}

// middleware wraps the request's round trip (an openai-go middleware in shape): it starts counting again when the response
// headers arrive and wraps the body so that each read does.
func (w *watchdog) middleware(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	res, err := next(req)
	if err != nil || res == nil {
		return res, err
	}
	w.timer.Reset(w.d)
	w.status = res.StatusCode
	if res.Body != nil {
		res.Body = &watchBody{rc: res.Body, w: w}
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

// Close closes the body at once, except after a complete reply: the end of the HTTP body
// (the chunked terminator, or END_STREAM) may trail [DONE], and closing before the
// transport has seen it costs the keep-alive connection (about one request in thirty over
// HTTP/1.1 in tests). Then the rest is read in the background, for at most a second, and the
// attempt's context is cancelled after that. Once the read has seen the end of the body the
// transport has put the connection back in its pool (its EOF handshake is synchronous), so
// the cancel cannot close it.
func (b *watchBody) Close() error {
	w := b.w
	if w.handedOff || !w.sawDone() {
		return b.rc.Close()
	}
	w.handedOff = true
	rc, cancel := b.rc, w.cancel
	w.drains.Add(1)
	go func() {
		defer w.drains.Done()
		t := time.AfterFunc(time.Second, func() { cancel(nil) })
		io.Copy(io.Discard, io.LimitReader(rc, 64<<10))
		t.Stop()
		rc.Close()
		cancel(nil)
	}()
	return nil
}
