package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
)

func init() { suites["latency"] = runLatencyBench }

const (
	predialRuns = 30
	earlyRuns   = 10
)

// runLatencyBench measures the latency work of spark edit, each change against its absence in
// the same run: pre-dialing behind an added round-trip time, early hunk checks on a bad first
// hunk, output and prompt sizes per format and file size, and start-up before and after its
// optimisations. It prints one table per part.
func runLatencyBench(ctx context.Context, _ []string) error {
	work, err := os.MkdirTemp("", "spark-bench-latency")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin, err := buildSpark(ctx, work)
	if err != nil {
		return err
	}
	parts := []struct {
		name string
		run  func(context.Context, string, string) (*mdTable, error)
	}{
		{"pre-dial", benchPredial},
		{"early hunk check", benchEarlyCheck},
		{"output size", benchOutputSize},
		{"prompt size", benchPromptSize},
		{"start-up", benchStartup},
	}
	only := os.Getenv("SPARK_BENCH_LATENCY") // a comma-separated subset of the parts, for working on one
	for _, p := range parts {
		if only != "" && !strings.Contains(","+only+",", ","+p.name+",") {
			continue
		}
		fmt.Fprintf(os.Stderr, "latency: %s\n", p.name)
		t, err := p.run(ctx, bin, work)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		if t.timed {
			t.notes = append(t.notes, loadNote())
		}
		t.print()
	}
	return nil
}

// spread formats a median with its interquartile range, which shows how much the other
// processes on the machine moved the runs.
func spread(ds []time.Duration) string {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	q := func(f float64) float64 { return float64(s[int(f*float64(len(s)-1))].Microseconds()) / 1000 }
	return fmt.Sprintf("%s (%.1f–%.1f)", fmtMs(median(ds)), q(0.25), q(0.75))
}

// loadNote reports the machine's load average, for reading the figures of a shared machine.
func loadNote() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	return fmt.Sprintf("Load average when the part ended: %s (%d CPUs). Medians with their interquartile range in brackets.", f[0], runtime.NumCPU())
}

// mdTable is one markdown table with a heading and notes under it.
type mdTable struct {
	title  string
	header []string
	rows   [][]string
	notes  []string
	timed  bool // the figures are timings, which the machine's load moves
}

func (t *mdTable) add(cells ...string) {
	t.rows = append(t.rows, cells)
	fmt.Fprintf(os.Stderr, "  %s\n", strings.Join(cells, " | "))
}

func (t *mdTable) print() {
	fmt.Printf("\n**%s**\n\n| %s |\n|%s\n", t.title, strings.Join(t.header, " | "), strings.Repeat(" --- |", len(t.header)))
	for _, r := range t.rows {
		fmt.Printf("| %s |\n", strings.Join(r, " | "))
	}
	for _, n := range t.notes {
		fmt.Printf("\n%s\n", n)
	}
}

// sparkRun is one spark process whose request the fake server answers.
type sparkRun struct {
	start, exited time.Time
	reqs          []llmtest.Request // the requests it made, in order
	stdout        string
	stderr        string
	err           error
}

// runSpark starts bin (spark, or another client of the fake) with args in dir, waits for it to
// exit, and collects the requests the server saw from it (the server must serve only this
// process meanwhile).
func runSpark(ctx context.Context, srv *llmtest.Server, bin, dir string, env []string, args ...string) sparkRun {
	before := len(srv.Requests())
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir, cmd.Env = dir, env
	var outb, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outb, &errb
	var r sparkRun
	r.start = time.Now()
	r.err = cmd.Run()
	r.exited = time.Now()
	r.stdout, r.stderr = outb.String(), errb.String()
	r.reqs = srv.Requests()[before:]
	if r.err == nil && len(r.reqs) == 0 {
		r.err = fmt.Errorf("no request reached the server")
	}
	for _, q := range r.reqs {
		if q.Unexpected != "" {
			r.err = fmt.Errorf("server: %s", q.Unexpected)
		}
	}
	if r.err != nil {
		r.err = fmt.Errorf("spark %s: %w: %s", strings.Join(args, " "), r.err, strings.TrimSpace(r.stderr))
	}
	return r
}

// drain empties the server's arrival channel, which runSpark does not read.
func drain(srv *llmtest.Server) {
	for {
		select {
		case <-srv.Arrived():
		default:
			return
		}
	}
}

// rootsChange is the subject of the commit after which Predial also loads the root certificates;
// its parent is the pre-dial "before".
const rootsChange = "llm: Predial starts loading the system's root certificates"

// benchPredial times process start → request at the server, and → exit with the edit written,
// without pre-dialing, with pre-dialing as it was before it loaded the root certificates, and
// as it is, against an HTTPS server (HTTP/2, TLS 1.3) behind a delay proxy.
func benchPredial(ctx context.Context, bin, work string) (*mdTable, error) {
	srv, err := llmtest.StartTLS()
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	ca := filepath.Join(work, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		return nil, err
	}
	type variant struct {
		name, bin string
		env       []string
	}
	variants := []variant{
		{"pre-dial off", bin, []string{"SPARK_NO_PREDIAL=1"}},
		{"pre-dial on", bin, nil},
	}
	t := &mdTable{
		title: fmt.Sprintf("Pre-dial: spark edit against a local HTTPS server behind an added RTT (medians of %d, interleaved)", predialRuns),
		timed: true,
		notes: []string{
			"The RTT is added by a TCP proxy in the harness that forwards every read RTT/2 late in both " +
				"directions and holds the client's first bytes until one RTT after accept, standing in for the TCP " +
				"handshake (this kernel has no netem). A request costs 2.5 RTT from a cold start: TCP, TLS 1.3, the request itself. " +
				"The client trusts the server through SSL_CERT_FILE; Go still reads the system's certificate directory, as it does for any https host.",
			"Pre-dial starts TCP and TLS as soon as spark edit knows the host, so that they overlap reading the files and " +
				"building the prompt, well under a millisecond of work; it also starts loading the system's root certificates, " +
				"milliseconds of parsing that crypto/tls would otherwise begin only when the server's certificate arrives, two round trips in.",
		},
	}
	if h, err := commitBySubject(ctx, rootsChange); err != nil {
		t.notes = append(t.notes, "Pre-dial before the root certificates change: skipped, "+err.Error()+".")
	} else {
		before, err := buildSparkAt(ctx, h+"^", work)
		if err != nil {
			return nil, err
		}
		variants = []variant{variants[0], {"pre-dial on, roots loaded by the handshake (" + h + "^)", before, nil}, variants[1]}
	}
	t.header = []string{"RTT"}
	for _, v := range variants {
		t.header = append(t.header, "start → request, "+v.name)
	}
	t.header = append(t.header, "saved by pre-dial", "start → exit, pre-dial on", "pre-dial off")
	file := filepath.Join(work, "main.go")
	for _, rtt := range []time.Duration{0, 20 * time.Millisecond, 50 * time.Millisecond} {
		proxy, err := startDelayProxy(srv.Addr(), rtt)
		if err != nil {
			return nil, err
		}
		url := "https://" + proxy.Addr() + "/v1"
		req := make([][]time.Duration, len(variants))
		exit := make([][]time.Duration, len(variants))
		for i := 0; i < predialRuns; i++ {
			for j, v := range variants {
				if err := os.WriteFile(file, []byte(smallFile), 0o644); err != nil {
					return nil, err
				}
				srv.Append(llmtest.Step{Chunks: llmtest.Split(smallReply, 16)})
				env := append(append(benchEnv(work, url), "SSL_CERT_FILE="+ca), v.env...)
				conns := srv.Conns()
				r := runSpark(ctx, srv, v.bin, work, env, "edit", "main.go", "rename x to y")
				if r.err == nil && srv.Conns()-conns != 1 {
					r.err = fmt.Errorf("%d connections for one edit, want 1", srv.Conns()-conns)
				}
				if r.err == nil && r.reqs[0].Proto != "HTTP/2.0" {
					r.err = fmt.Errorf("request over %s, want HTTP/2.0", r.reqs[0].Proto)
				}
				if r.err != nil {
					proxy.Close()
					return nil, fmt.Errorf("%s: %w", v.name, r.err)
				}
				req[j] = append(req[j], r.reqs[0].Arrived.Sub(r.start))
				exit[j] = append(exit[j], r.exited.Sub(r.start))
			}
		}
		proxy.Close()
		drain(srv)
		row := []string{fmt.Sprintf("%d ms", rtt.Milliseconds())}
		for j := range variants {
			row = append(row, spread(req[j]))
		}
		last := len(variants) - 1
		row = append(row, fmtMs(median(req[0])-median(req[last])), spread(exit[last]), spread(exit[0]))
		t.add(row...)
	}
	return t, nil
}

// benchEarlyCheck times a reply whose first hunk does not match, followed by a long second hunk
// streamed at a model's pace: from its first token to the repair request at the server, with
// the early check and with hunks checked only at the end of the reply.
func benchEarlyCheck(ctx context.Context, bin, work string) (*mdTable, error) {
	var file strings.Builder
	for i := 1; i <= 250; i++ {
		fmt.Fprintf(&file, "line %03d of a file the model misremembers\n", i)
	}
	var bad strings.Builder
	bad.WriteString("Change line 11 and append a block after line 12.\n*** Begin Patch\n*** Update File: long.txt\n@@\n")
	bad.WriteString(" line 010 of a file the model misremembers\n-line 011 of a file the model remembers\n+line 011, changed\n line 012 of a file the model misremembers\n@@\n line 012 of a file the model misremembers\n")
	for i := 1; i <= 200; i++ {
		fmt.Fprintf(&bad, "+appended line %03d, streamed one token a millisecond\n", i)
	}
	bad.WriteString("*** End Patch\n")
	good := "Change line 11.\n*** Begin Patch\n*** Update File: long.txt\n@@\n line 010 of a file the model misremembers\n-line 011 of a file the model misremembers\n+line 011, changed\n line 012 of a file the model misremembers\n*** End Patch\n"
	const tokenBytes = 4 // one chunk a token, about four bytes
	chunks := llmtest.Split(bad.String(), tokenBytes)

	srv, err := llmtest.Start()
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	path := filepath.Join(work, "long.txt")
	var repair, total [2][]time.Duration // [0] early check, [1] at the end
	var badFirstHunk int
	for i := 0; i < earlyRuns; i++ {
		for v := 0; v < 2; v++ {
			if err := os.WriteFile(path, []byte(file.String()), 0o644); err != nil {
				return nil, err
			}
			srv.Append(llmtest.Step{Chunks: chunks, ChunkDelay: time.Millisecond}, llmtest.Step{Chunks: llmtest.Split(good, 16)})
			env := benchEnv(work, srv.URL())
			if v == 1 {
				env = append(env, "SPARK_NO_EARLY_CHECK=1")
			}
			r := runSpark(ctx, srv, bin, work, env, "edit", "long.txt", "change line 11 and append a block")
			if r.err != nil {
				return nil, r.err
			}
			if len(r.reqs) != 2 {
				return nil, fmt.Errorf("%d requests, want the reply and its repair", len(r.reqs))
			}
			if got, _ := os.ReadFile(path); !bytes.Contains(got, []byte("line 011, changed")) {
				return nil, fmt.Errorf("file not edited after the repair")
			}
			repair[v] = append(repair[v], r.reqs[1].Arrived.Sub(r.reqs[0].Arrived))
			total[v] = append(total[v], r.exited.Sub(r.start))
		}
	}
	drain(srv)
	badFirstHunk = strings.Index(bad.String(), "@@\n line 012") + 3
	early, late := median(repair[0]), median(repair[1])
	t := &mdTable{
		title:  fmt.Sprintf("Early hunk check: a bad first hunk, then a 200-line second hunk at one %d-byte token a millisecond (medians of %d, interleaved)", tokenBytes, earlyRuns),
		header: []string{"hunks checked", "first token → repair request at server", "start → exit, edit repaired"},
		timed:  true,
		notes: []string{fmt.Sprintf("The reply is %d bytes in %d chunks; its first hunk is complete, and found not to match, at byte %d, "+
			"when the second hunk's @@ arrives. Checked early, the repair starts %s sooner (%.0f×). "+
			"Checking only at the end is the SPARK_NO_EARLY_CHECK=1 diagnostic.",
			bad.Len(), len(chunks), badFirstHunk, fmtMs(late-early), float64(late)/float64(early))},
	}
	t.add("as each completes (default)", spread(repair[0]), spread(total[0]))
	t.add("at the end of the reply", spread(repair[1]), spread(total[1]))
	return t, nil
}
