package llm

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// requestBody renders req as the JSON body of a streaming chat completion, byte for byte what
// openai-go's ChatCompletionService.NewStreaming sends for the same parameters (its field order,
// its escaping, "stream":true last; TestRequestMatchesNewStreaming holds them equal).
//
// The SDK's own encoder builds its reflection tables for ChatCompletionNewParams on first use:
// 0.2-0.4 ms of the few milliseconds between process start and the request, spent on every
// spark edit. Appending the handful of fields spark sends costs microseconds.
func (c *Client) requestBody(req Request) ([]byte, error) {
	n := 256 + len(req.Prediction)
	for _, m := range req.Messages {
		n += len(m.Content) + 32
	}
	b := make([]byte, 0, n+n/16)
	b = append(b, `{"messages":[`...)
	for i, m := range req.Messages {
		switch m.Role {
		case "system", "developer", "user", "assistant":
		default:
			return nil, fmt.Errorf("unknown message role %q", m.Role)
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"content":`...)
		b = appendString(b, m.Content)
		b = append(b, `,"role":"`...)
		b = append(b, m.Role...)
		b = append(b, `"}`...)
	}
	b = append(b, ']')
	if c.cfg.Model != "" {
		b = append(b, `,"model":`...)
		b = appendString(b, c.cfg.Model)
	}
	if req.MaxTokens > 0 {
		b = append(b, `,"max_completion_tokens":`...)
		b = strconv.AppendInt(b, int64(req.MaxTokens), 10)
	}
	if req.Temperature != nil {
		f := *req.Temperature
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("temperature %v is not a number", f)
		}
		b = append(b, `,"temperature":`...)
		b = appendFloat(b, f)
	}
	b = append(b, `,"stream_options":{"include_usage":true}`...)
	if req.Prediction != "" {
		b = append(b, `,"prediction":{"content":`...)
		b = appendString(b, req.Prediction)
		b = append(b, `,"type":"content"}`...)
	}
	return append(b, `,"stream":true}`...), nil
}

// appendString quotes s as encoding/json does without HTML escaping, which is what openai-go
// sends: invalid UTF-8 becomes U+FFFD, U+2028 and U+2029 are escaped for JavaScript's sake.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendFloat formats f as encoding/json does: the shortest decimal that round-trips, in
// exponent form only for very small or very large magnitudes, with a short exponent.
func appendFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
