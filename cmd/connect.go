package cmd

import (
	"context"

	"github.com/spark-cli/spark/llm"
)

// connection is the model client of one command, set up while the command reads its files and
// builds its prompt: with a model configured, the settings are finished and the client made
// (and pre-dialed) at once; with none, a local server is looked for in the background, and
// wait finishes the set-up when it answers. edit, fix and suggest all start this way.
type connection struct {
	settings settings    // finished once wait returned nil
	client   *llm.Client // nil until wait returned nil, and for a prompt that is only shown
	probe    chan string // the local server's base URL, "" for none; nil when not probing
	opts     connectOptions
}

// connectOptions say how a command uses its connection.
type connectOptions struct {
	showPrompt bool // nothing is sent: only the settings are finished
	predial    bool // open the connection at once (not when a command runs first, outlasting it)
	noRetries  bool // a person waits and can ask again: no retries (suggestions)
}

// connect starts setting up the connection for s.
func connect(ctx context.Context, s settings, opts connectOptions) *connection {
	c := &connection{settings: s, opts: opts}
	switch {
	case opts.showPrompt:
		c.settings.finish()
	case s.needsLocalProbe():
		c.probe = make(chan string, 1)
		go func() {
			u, ok := llm.LocalOllama(ctx, ollamaProbeTimeout)
			if !ok {
				u = ""
			}
			c.probe <- u
		}()
	default:
		c.newClient()
		if opts.predial {
			c.client.Predial()
		}
	}
	return c
}

// wait returns once the client is ready, or with the one line that says what to set when no
// model is configured and no local server answered. It does nothing for a shown prompt.
func (c *connection) wait() error {
	if c.probe == nil || c.client != nil {
		return nil
	}
	u, ok := <-c.probe
	if ok {
		close(c.probe) // a later wait after a failed probe fails at once
	}
	if u == "" {
		return errNoModel
	}
	c.settings.BaseURL, c.settings.local = u, true
	c.newClient()
	return nil
}

// newClient finishes the settings and makes the one client the command uses.
func (c *connection) newClient() {
	c.settings.finish()
	cfg := c.settings.llmConfig()
	if c.opts.noRetries {
		cfg.MaxRetries = -1
	}
	c.client = llm.New(cfg)
}
