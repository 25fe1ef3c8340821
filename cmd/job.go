package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spark-cli/spark/edit"
	"github.com/spark-cli/spark/internal/safe"
	"github.com/spark-cli/spark/llm"
)

// patchJob is one edit from prompt to files on disk: the turns with the model (the first, and at
// most one repair round), the patch they produce, and the atomic commit. `spark edit` and
// `spark fix` both run one.
type patchJob struct {
	env      *env
	settings settings
	client   *llm.Client
	targets  []*edit.Target
	messages []llm.Message
	dryRun   bool
	filter   bool // the single target is stdin; the result goes to stdout
	steer    bool
	start    time.Time
	turns    int // turns streamed so far

	verb string // the summary's verb for written files; "edited" when empty

	usage   llm.Usage
	ttft    time.Duration // time to first token of the first turn, from process start
	reply   string        // the last turn's raw reply
	prose   string
	steered bool            // the user interrupted and steered: the caller's context is cancelled, the job went on
	changes []edit.Change   // what the job wrote (for a dry run, would have written)
	inPlace []*edit.Target  // files the edit was already in
	render  *liveRenderer   // the current turn's drawing on a terminal, nil otherwise
	undo    *edit.Committer // the command's commits, one undo entry; nil for a fresh one

	// What spark again needs to ask again: the arguments the targets were resolved from, and
	// the directory; the conversation is kept with the undo entry only when dir is set.
	targetArgs []string
	dir        string
}

// initialMessages builds the system and user messages for the job's targets.
func (j *patchJob) initialMessages(conventions, context, instruction string) []llm.Message {
	return []llm.Message{
		{Role: "system", Content: edit.SystemPrompt(j.settings.Format, conventions)},
		{Role: "user", Content: edit.UserPrompt(j.targets, context, instruction)},
	}
}

// showPrompt prints exactly what would be sent, and sends nothing.
func (j *patchJob) showPrompt() error {
	printPrompt(j.env.streams.Out, fmt.Sprintf("model %s at %s, format %s", j.settings.Model, j.settings.host(), j.settings.Format), j.messages)
	return nil
}

// printPrompt prints a request's messages for --show-prompt under a header line. The messages
// hold files and recorded output, so each passes the sanitiser.
func printPrompt(w io.Writer, header string, msgs []llm.Message) {
	fmt.Fprintf(w, "# %s\n", header)
	for _, m := range msgs {
		fmt.Fprintf(w, "# %s\n%s\n", m.Role, safe.Text(strings.TrimRight(m.Content, "\n")))
	}
}

// run streams the edit, repairs it once if it does not apply, and commits it.
func (j *patchJob) run(ctx context.Context) error {
	st := j.env.streams
	live := st.OutTTY && !j.filter
	pal := newPalette(st.Color)
	var out io.Writer = io.Discard
	if live {
		out = st.Out
	}

	a := edit.NewApplier(j.targets, edit.ApplyOptions{
		Filter:    j.filter,
		Format:    j.settings.Format,
		LateCheck: j.env.getenv("SPARK_NO_EARLY_CHECK") != "",
	})
	var changes []edit.Change
	for j.turns = 0; ; j.turns++ {
		res, err := j.stream(ctx, a, out, pal, live)
		j.addUsage(res)
		if err != nil && !errors.Is(err, edit.ErrEarlyMismatch) {
			j.render.end() // whatever was shown of the reply stays on screen
		}
		j.reply = res.Text
		if err == nil && res.FinishReason == "content_filter" {
			err = fmt.Errorf("model reply from %s stopped by its content filter", j.settings.host())
		}
		if err != nil && !errors.Is(err, edit.ErrEarlyMismatch) {
			if interruptedByUser(ctx) && j.canSteer() {
				next, stop, nudge, ok := j.steerTurn(ctx, pal)
				if !ok {
					return errInterrupted
				}
				defer stop()
				ctx = next
				j.steered = true
				j.messages = append(j.messages,
					llm.Message{Role: "assistant", Content: res.Text},
					llm.Message{Role: "user", Content: edit.SteerPrompt(nudge)},
				)
				continue
			}
			return j.streamError(ctx, err)
		}
		changes, err = a.Finish()
		j.render.end() // Finish draws the end of a whole file
		if err == nil {
			j.prose = a.Prose()
			j.inPlace = a.InPlace()
			break
		}
		var noEdit *edit.NoEditError
		if errors.As(err, &noEdit) {
			j.prose = noEdit.Prose
			return j.noEdit(noEdit)
		}
		repair, ok := a.Repair(err)
		if !ok {
			return j.failed(err)
		}
		if live {
			pal.warn.Fprintf(out, "↻ %s; asking the model to repair it\n", safe.Line(err.Error()))
		}
		j.messages = append(j.messages,
			llm.Message{Role: "assistant", Content: res.Text},
			llm.Message{Role: "user", Content: repair},
		)
	}
	return j.commit(ctx, changes, pal)
}

// stream sends the job's messages and feeds the reply to the applier as it arrives; on a
// terminal it shows a spinner until the first token, then the reply as a live diff.
func (j *patchJob) stream(ctx context.Context, a *edit.Applier, out io.Writer, pal *palette, live bool) (llm.Result, error) {
	var render *liveRenderer
	var onEvent func(edit.Event)
	var spin *spinner
	if live {
		render = newLiveRenderer(out, pal)
		j.render = render
		onEvent = render.event
		since := j.start
		if j.turns > 0 {
			since = time.Now()
		}
		spin = startSpinner(out, pal, fmt.Sprintf("%s at %s", j.settings.Model, j.settings.host()), since)
	}
	a.Start(onEvent)
	req := llm.Request{Messages: j.messages}
	if j.settings.Prediction {
		req.Prediction, _ = a.Prediction() // "" unless one whole file is asked for
	}
	var first time.Time // when the first token arrived
	res, err := j.client.Stream(ctx, req, func(delta string) error {
		if first.IsZero() {
			first = time.Now()
			spin.Stop()
		}
		err := a.Feed(delta)
		if live {
			render.flush()
		}
		return err
	})
	spin.Stop()
	if j.turns == 0 && !first.IsZero() {
		j.ttft = first.Sub(j.start)
	}
	return res, err
}

// streamError turns a failed stream into the error the user sees; nothing was written.
func (j *patchJob) streamError(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return errInterrupted
	}
	if path := j.saveReply(); path != "" {
		return fmt.Errorf("%w (partial reply saved to %s)", err, path)
	}
	return err
}

// failed reports an edit that did not apply after the repair round, saving the raw reply.
func (j *patchJob) failed(err error) error {
	if path := j.saveReply(); path != "" {
		return fmt.Errorf("%w; nothing written (reply saved to %s)", err, path)
	}
	return fmt.Errorf("%w; nothing written", err)
}

func (j *patchJob) saveReply() string {
	if strings.TrimSpace(j.reply) == "" {
		return ""
	}
	dir, err := edit.StateDir(j.env.getenv)
	if err != nil {
		return ""
	}
	path, err := edit.SaveReply(dir, j.reply)
	if err != nil {
		return ""
	}
	return path
}

func (j *patchJob) addUsage(res llm.Result) {
	j.usage.PromptTokens += res.Usage.PromptTokens
	j.usage.CompletionTokens += res.Usage.CompletionTokens
	j.usage.CachedTokens += res.Usage.CachedTokens
	j.usage.AcceptedPredictionTokens += res.Usage.AcceptedPredictionTokens
	j.usage.RejectedPredictionTokens += res.Usage.RejectedPredictionTokens
}

// noEdit fails a reply that carried no edit: whatever the model says (the instruction needs
// none, a question, a refusal), nothing was done, and a script that runs `spark fix && make`
// must stop. Its words are shown: live on a terminal, here otherwise.
func (j *patchJob) noEdit(err *edit.NoEditError) error {
	j.explain(j.prose)
	names := make([]string, len(j.targets))
	for i, t := range j.targets {
		names[i] = t.Path
	}
	return fmt.Errorf("edit %s: %w; nothing written", strings.Join(names, ", "), err)
}

// explain prints the model's explanation on stderr when it was not drawn live.
func (j *patchJob) explain(prose string) {
	if prose != "" && j.render == nil {
		fmt.Fprintln(j.env.streams.Err, safe.Text(prose))
	}
}

// commit writes the changes (or, for a dry run or a filter, prints them) and the summary.
func (j *patchJob) commit(ctx context.Context, changes []edit.Change, pal *palette) error {
	st := j.env.streams
	// An interrupt that came after the stream but before the write still means "write nothing".
	if ctx.Err() != nil {
		return errInterrupted
	}
	if j.dryRun {
		j.changes = changes
		if j.render == nil {
			// On a terminal the diff was drawn live.
			j.printDiffs(changes, pal)
			j.explain(firstLine(j.prose))
		}
		fmt.Fprintln(j.summaryWriter(), j.summary(changes, "dry run, nothing written:"))
		return nil
	}
	if j.filter {
		out := j.targets[0].Content
		if len(changes) > 0 {
			out = changes[0].New
		}
		if _, err := st.Out.Write(out); err != nil {
			return fmt.Errorf("write stdout: %w", err)
		}
		if st.ErrTTY {
			fmt.Fprintln(st.Err, j.summary(changes, "edited"))
		}
		return nil
	}
	if j.undo == nil {
		j.undo = newCommitter(j.env, "")
	}
	// From here SIGINT only cancels the context, which Commit does not look at: the few
	// milliseconds of writing always finish once begun.
	if err := j.undo.Commit(changes); err != nil {
		return err
	}
	j.keepConversation()
	j.changes = changes
	if !st.OutTTY {
		// On a terminal the diff was drawn live; a pipe gets the real one, once it is true.
		j.printDiffs(changes, pal)
		j.explain(firstLine(j.prose))
	}
	verb := j.verb
	if verb == "" {
		verb = "edited"
	}
	fmt.Fprintln(j.summaryWriter(), j.summary(changes, verb))
	if ctx.Err() != nil {
		fmt.Fprintln(st.Err, "spark: the interrupt came during the write, which completed; spark undo reverts it")
	}
	return nil
}

// keepConversation stores what was sent, as sent, and the reply applied with the undo entry, so
// that spark again can ask again with the same prefix. Failing to is said, not fatal: the edit
// is written.
func (j *patchJob) keepConversation() {
	if j.dir == "" {
		return
	}
	conv := &edit.Conversation{
		Model:   j.settings.Model,
		Format:  j.settings.Format,
		Dir:     j.dir,
		Targets: edit.NewSentTargets(j.targetArgs, j.targets),
		Reply:   j.reply,
	}
	for _, m := range j.messages {
		conv.Messages = append(conv.Messages, edit.Message{Role: m.Role, Content: m.Content})
	}
	if err := j.undo.Keep(conv); err != nil {
		fmt.Fprintf(j.env.streams.Err, "spark: %v; spark again cannot retake this edit\n", err)
	}
}

// printDiffs prints the unified diff of every change on stdout.
func (j *patchJob) printDiffs(changes []edit.Change, pal *palette) {
	for _, c := range changes {
		writeDiff(j.env.streams.Out, pal, c.Diff())
	}
}

// summaryWriter is stdout on a terminal, stderr otherwise, so piped stdout carries only the diff.
func (j *patchJob) summaryWriter() io.Writer {
	if j.env.streams.OutTTY && !j.filter {
		return j.env.streams.Out
	}
	return j.env.streams.Err
}

// summary is the one line that ends every edit: files, +/- lines, time to first token, total
// time and tokens.
func (j *patchJob) summary(changes []edit.Change, verb string) string {
	var b strings.Builder
	if len(changes) > 0 || len(j.inPlace) == 0 {
		b.WriteString(verb)
	}
	if len(changes) == 0 && len(j.inPlace) == 0 {
		b.WriteString(" nothing")
	}
	for i, c := range changes {
		add, del := edit.Stat(c.Target.Content, c.New)
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, " %s (+%d -%d)", safe.Line(c.Target.Path), add, del)
	}
	if len(j.inPlace) > 0 {
		if len(changes) > 0 {
			b.WriteString("; ")
		}
		b.WriteString("already in place:")
		for i, t := range j.inPlace {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, " %s", safe.Line(t.Path))
		}
	}
	fmt.Fprintf(&b, " · first token %s · total %s", fmtDuration(j.ttft), fmtDuration(time.Since(j.start)))
	u := j.usage
	if u.PromptTokens+u.CompletionTokens > 0 {
		fmt.Fprintf(&b, " · tokens %d in", u.PromptTokens)
		if u.CachedTokens > 0 {
			fmt.Fprintf(&b, " (%d cached)", u.CachedTokens)
		}
		fmt.Fprintf(&b, ", %d out", u.CompletionTokens)
		if u.AcceptedPredictionTokens+u.RejectedPredictionTokens > 0 {
			fmt.Fprintf(&b, " (prediction %d accepted, %d rejected)", u.AcceptedPredictionTokens, u.RejectedPredictionTokens)
		}
	}
	return b.String()
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return safe.Text(s)
}
