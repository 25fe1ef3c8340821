package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/openai/openai-go/v3/option"
)

// Message is one chat message; Role is "system", "developer", "user" or "assistant".
type Message struct {
	Role    string
	Content string
}

// Request is one chat completion to stream.
type Request struct {
	Messages    []Message
	MaxTokens   int      // sent as max_completion_tokens; 0 = unset
	Temperature *float64 // nil = unset
	// Prediction, when non-empty, is sent as a Predicted Output ({type: content, content: ...}),
	// which lets OpenAI's 4o/4.1-family models skip over text they would copy anyway.
	Prediction string
}

// Usage is the server's token accounting, zero when the server sent none.
type Usage struct {
	PromptTokens             int64
	CompletionTokens         int64
	CachedTokens             int64 // prompt tokens served from the provider's prompt cache
	AcceptedPredictionTokens int64
	RejectedPredictionTokens int64
}

// Result is what a stream produced, complete or not.
type Result struct {
	Text             string
	FinishReason     string
	Usage            Usage
	TimeToFirstToken time.Duration // from the Stream call to the first non-empty content delta; 0 if none
	Duration         time.Duration // from the Stream call to its return
}

// Stream sends req and calls onDelta with each non-empty content delta as it arrives, on the
// calling goroutine. Requests that fail before the stream begins (connection refused or
// reset, 429, 5xx) are retried up to Config.MaxRetries times with a short backoff that honours
// Retry-After up to a few seconds; once the server has answered 200, nothing is retried.
//
// onDelta may be nil. The text received is in Result.Text in every case, including the delta
// onDelta refused. Errors: if onDelta returns an error the
// request is cancelled at once (the connection is closed) and that error is returned as is;
// if ctx is cancelled the request is cancelled at once and the error wraps ctx.Err(), so
// errors.Is(err, context.Canceled) holds; every other failure is an *Error, including
// KindLength when the reply was cut at the token limit (the text is complete up to there).
func (c *Client) Stream(ctx context.Context, req Request, onDelta func(string) error) (Result, error) {
	if onDelta == nil {
		onDelta = func(string) error { return nil }
	}
	s := streamState{c: c, start: time.Now(), onDelta: onDelta}
	err := s.run(ctx, req)
	s.res.Text = s.text.String()
	s.res.Duration = time.Since(s.start)
	return s.res, err
}

// streamState is one Stream call across its attempts.
type streamState struct {
	c       *Client
	start   time.Time
	onDelta func(string) error
	res     Result
	text    strings.Builder
	began   bool // a 200 response arrived: never retry from here on
	chunks  int  // chunks that parsed as chat.completion.chunk
	userErr error
}

func (s *streamState) run(ctx context.Context, req Request) error {
	c := s.c
	if c.baseErr != nil {
		return &Error{Kind: KindConnect, Host: c.host, Message: c.baseErr.Error(), Err: c.baseErr,
			Hint: "set a base URL such as http://127.0.0.1:11434/v1"}
	}
	body, err := c.requestBody(req)
	if err != nil {
		return &Error{Kind: KindBadRequest, Host: c.host, Message: err.Error(), Err: err}
	}
	for attempt := 0; ; attempt++ {
		err = s.attempt(ctx, body)
		var e *Error
		if err == nil || s.began || attempt >= c.retries || !errors.As(err, &e) || !e.retry {
			return err
		}
		d, ok := retryDelay(e, attempt)
		if !ok {
			return err
		}
		if werr := sleep(ctx, d); werr != nil {
			return fmt.Errorf("model request to %s: %w", c.host, werr)
		}
	}
}

// attempt sends the request once and consumes the stream.
func (s *streamState) attempt(ctx context.Context, body []byte) error {
	actx, cancel := context.WithCancelCause(ctx)
	wd := newWatchdog(s.c.stall, cancel, &s.c.drains)
	defer wd.release()
	stream, resp := s.c.openStream(actx, body, option.WithMiddleware(wd.middleware))
	defer stream.Close()
	if err := stream.Err(); err != nil {
		return s.fail(ctx, resp, wd, err)
	}
	s.began = true
	for stream.Next() {
		chunk := stream.Current()
		if chunk.valid() {
			s.chunks++
		}
		if u := chunk.Usage; u != nil {
			s.res.Usage = Usage{
				PromptTokens:             u.PromptTokens,
				CompletionTokens:         u.CompletionTokens,
				CachedTokens:             u.PromptTokensDetails.CachedTokens,
				AcceptedPredictionTokens: u.CompletionTokensDetails.AcceptedPredictionTokens,
				RejectedPredictionTokens: u.CompletionTokensDetails.RejectedPredictionTokens,
			}
		}
		for i := range chunk.Choices {
			ch := &chunk.Choices[i]
			if ch.Index != 0 {
				continue
			}
			if ch.FinishReason != "" {
				s.res.FinishReason = ch.FinishReason
			}
			if d := string(ch.Delta.Content); d != "" {
				if s.res.TimeToFirstToken == 0 {
					s.res.TimeToFirstToken = time.Since(s.start)
				}
				s.text.WriteString(d)
				if err := s.onDelta(d); err != nil {
					s.userErr = err
					cancel(err)
					stream.Close()
					return err
				}
			}
		}
	}
	if err := stream.Err(); err != nil {
		return s.fail(ctx, resp, wd, err)
	}
	return s.end(resp, wd)
}

// end judges a stream that ended without a transport error.
func (s *streamState) end(resp *http.Response, wd *watchdog) error {
	host := s.c.host
	switch {
	case s.res.FinishReason == "length":
		return &Error{Kind: KindLength, Host: host, Message: "finish_reason=length",
			Hint: "raise the token limit or ask for a smaller change"}
	case s.res.FinishReason != "" || wd.sawDone():
		return nil
	case s.chunks == 0:
		return notSSE(host, resp, wd)
	}
	return &Error{Kind: KindDropped, Host: host, bytes: wd.bytes,
		Message: "stream ended without a finish_reason or [DONE]", Hint: "try again"}
}
