package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/spark-cli/spark/llm/llmtest"
)

// waitTime bounds every wait for something outside the test process (a request at the fake
// server, a screen in tmux, a child's exit): generous, since the tests run under -race on busy
// machines. The waits poll and end as soon as the thing is there.
const waitTime = 30 * time.Second

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"spark": func() {
			os.Exit(Main(context.Background(), os.Args, SystemStreams()))
		},
	})
}

// TestScripts runs the end-to-end scripts in testdata/script against the built CLI and a fake
// OpenAI server that speaks the real streaming protocol. `go test ./cmd -run TestScripts -update`
// rewrites their expected files.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *updateScripts,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("HOME", filepath.Join(env.WorkDir, ".home"))
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
			env.Setenv("XDG_STATE_HOME", filepath.Join(env.WorkDir, ".state"))
			env.Setenv("XDG_RUNTIME_DIR", "")
			env.Setenv("NO_COLOR", "")
			env.Setenv("FORCE_COLOR", "")
			// Scripts that run the go command share the real build cache; a fresh HOME would
			// otherwise rebuild the standard library in every script.
			env.Setenv("GOCACHE", goEnv("GOCACHE"))
			env.Setenv("GOMODCACHE", goEnv("GOMODCACHE"))
			env.Values[serverKey{}] = &serverHolder{}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"serve":    cmdServe,
			"requests": cmdRequests,
			"request":  cmdRequest,
			"waitreq":  cmdWaitReq,
			"prefix":   cmdPrefix,
		},
	})
}

// goEnv returns a go env setting of the test process, computed once.
func goEnv(key string) string {
	goEnvOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE").Output()
		if err == nil {
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) == 2 {
				goEnvVals = map[string]string{"GOCACHE": lines[0], "GOMODCACHE": lines[1]}
			}
		}
	})
	return goEnvVals[key]
}

var (
	goEnvOnce sync.Once
	goEnvVals map[string]string
)

var updateScripts = flag.Bool("update", false, "rewrite testscript files with the actual output")

// serverKey finds a script's fake model server among its testscript values.
type serverKey struct{}

type serverHolder struct{ s *llmtest.Server }

func holder(ts *testscript.TestScript) *serverHolder {
	return ts.Value(serverKey{}).(*serverHolder)
}

// cmdServe appends one scripted reply to the test's fake model server, starting it on first use
// and pointing OPENAI_BASE_URL at it:
//
//	serve [-status N] [-body FILE] [-retry-after S] [-chunk RUNES] [-delay D] [-first D]
//	      [-drop N] [-hang N] [-finish REASON] [-usage IN,OUT,CACHED,ACCEPTED,REJECTED] [-raw] [REPLYFILE]
func cmdServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! serve")
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	status := fs.Int("status", 0, "HTTP status")
	body := fs.String("body", "", "error body file")
	retryAfter := fs.String("retry-after", "", "Retry-After header")
	chunk := fs.Int("chunk", 8, "runes per content chunk")
	delay := fs.Duration("delay", 0, "delay between chunks")
	firstDelay := fs.Duration("first", 0, "delay before the first chunk")
	drop := fs.Int("drop", 0, "close the connection after N chunks")
	hang := fs.Int("hang", 0, "stop sending after N chunks")
	finish := fs.String("finish", "", "finish_reason")
	usage := fs.String("usage", "", "token usage to report: prompt, completion, cached, accepted and rejected prediction tokens")
	raw := fs.Bool("raw", false, "send REPLYFILE verbatim as the response body")
	ts.Check(fs.Parse(args))
	step := llmtest.Step{
		Status:       *status,
		RetryAfter:   *retryAfter,
		ChunkDelay:   *delay,
		FirstDelay:   *firstDelay,
		DropAfter:    *drop,
		HangAfter:    *hang,
		FinishReason: *finish,
	}
	if *body != "" {
		step.ErrorBody = ts.ReadFile(*body)
	}
	if *usage != "" {
		var u llmtest.Usage
		if _, err := fmt.Sscanf(*usage, "%d,%d,%d,%d,%d", &u.PromptTokens, &u.CompletionTokens, &u.CachedTokens,
			&u.AcceptedPredictionTokens, &u.RejectedPredictionTokens); err != nil {
			ts.Fatalf("serve -usage %q: want five counts separated by commas: %v", *usage, err)
		}
		step.Usage = &u
	}
	if fs.NArg() > 0 {
		text := ts.ReadFile(fs.Arg(0))
		if *raw {
			step.Raw = text
		} else {
			step.Chunks = llmtest.Split(text, *chunk)
		}
	}
	h := holder(ts)
	s := h.s
	if s == nil {
		var err error
		s, err = llmtest.Start(step)
		ts.Check(err)
		ts.Defer(s.Close)
		ts.Setenv("OPENAI_BASE_URL", s.URL())
		ts.Setenv("OPENAI_API_KEY", "sk-test")
		ts.Setenv("SPARK_MODEL", "gpt-test")
		h.s = s
		return
	}
	s.Append(step)
}

func serverOf(ts *testscript.TestScript) *llmtest.Server {
	s := holder(ts).s
	if s == nil {
		ts.Fatalf("no server: use serve first")
	}
	return s
}

// cmdRequests checks how many requests the server received: requests N
func cmdRequests(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: requests N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := len(serverOf(ts).Requests())
	if (got == want) == neg {
		ts.Fatalf("server received %d requests, want %s%d", got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// cmdRequest writes request I's JSON body (0-based), indented, to FILE: request I FILE
func cmdRequest(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: request I FILE")
	}
	i, err := strconv.Atoi(args[0])
	ts.Check(err)
	reqs := serverOf(ts).Requests()
	if i >= len(reqs) {
		ts.Fatalf("request %d: only %d arrived", i, len(reqs))
	}
	var v any
	ts.Check(json.Unmarshal(reqs[i].Body, &v))
	out, err := json.MarshalIndent(v, "", "  ")
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), append(out, '\n'), 0o644))
}

// cmdWaitReq blocks until N requests have arrived (default 1), for interrupting a stream
// mid-way: waitreq [N]
func cmdWaitReq(ts *testscript.TestScript, neg bool, args []string) {
	n := 1
	if len(args) == 1 {
		var err error
		n, err = strconv.Atoi(args[0])
		ts.Check(err)
	}
	s := serverOf(ts)
	deadline := time.Now().Add(waitTime)
	for len(s.Requests()) < n {
		if time.Now().After(deadline) {
			ts.Fatalf("waitreq: %d requests after %v, want %d", len(s.Requests()), waitTime, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// cmdPrefix checks that request J's raw body starts with the bytes of request I's body up to the
// end of its last message, followed by more messages: what a provider's prompt cache needs.
//
//	prefix I J
func cmdPrefix(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: prefix I J")
	}
	i, err := strconv.Atoi(args[0])
	ts.Check(err)
	j, err := strconv.Atoi(args[1])
	ts.Check(err)
	reqs := serverOf(ts).Requests()
	if i >= len(reqs) || j >= len(reqs) {
		ts.Fatalf("prefix: only %d requests arrived", len(reqs))
	}
	var body struct {
		Messages json.RawMessage `json:"messages"`
	}
	ts.Check(json.Unmarshal(reqs[i].Body, &body))
	at := bytes.Index(reqs[i].Body, body.Messages)
	if len(body.Messages) < 2 || at < 0 {
		ts.Fatalf("prefix: request %d has no messages array", i)
	}
	want := append(slices.Clone(reqs[i].Body[:at+len(body.Messages)-1]), ',') // without the closing ]
	got := reqs[j].Body
	if bytes.HasPrefix(got, want) == neg {
		ts.Fatalf("prefix: request %d starts with request %d's messages: %v\nrequest %d: %s\nrequest %d: %s",
			j, i, !neg, i, reqs[i].Body, j, got)
	}
}
