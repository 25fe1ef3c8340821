package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/spark-cli/spark/edit/patch"
	"github.com/spark-cli/spark/llm"
	"github.com/spark-cli/spark/shell"
)

// Defaults, documented in the README. gpt-4.1-mini is fast, cheap, follows apply_patch well and
// accepts Predicted Outputs; qwen2.5-coder is the usual small coding model on ollama.
const (
	defaultModel       = "gpt-4.1-mini"
	defaultLocalModel  = "qwen2.5-coder:7b"
	ollamaProbeTimeout = 40 * time.Millisecond
)

// fileConfig is $XDG_CONFIG_HOME/spark/config.toml.
type fileConfig struct {
	Model        string `toml:"model"`
	BaseURL      string `toml:"base_url"`
	APIKey       string `toml:"api_key"`
	Format       string `toml:"format"`
	Prediction   bool   `toml:"prediction"`
	StallTimeout string `toml:"stall_timeout"`
}

// modelFlags are the model settings a command line may carry.
type modelFlags struct {
	Model   string
	BaseURL string
	Format  string
}

// settings are the resolved model settings: flag > env > file > default.
type settings struct {
	Model        string
	BaseURL      string
	APIKey       string
	Format       patch.Format // FormatAuto until resolved per edit
	Prediction   bool
	StallTimeout time.Duration
	local        bool   // BaseURL was found by probing a local ollama
	relay        string // the spark shell session's model relay socket; "" outside a session
}

// configPath returns where the optional config file lives.
func configPath(getenv func(string) string) string {
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "spark", "config.toml")
}

// loadSettings resolves the model settings without touching the network.
func loadSettings(getenv func(string) string, fl modelFlags) (settings, error) {
	var fc fileConfig
	if p := configPath(getenv); p != "" {
		data, err := os.ReadFile(p)
		switch {
		case err == nil:
			if _, err := toml.Decode(string(data), &fc); err != nil {
				return settings{}, fmt.Errorf("read config %s: %w", p, err)
			}
		case !errors.Is(err, os.ErrNotExist):
			return settings{}, fmt.Errorf("read config: %w", err)
		}
	}
	s := settings{
		Model:      first(fl.Model, getenv("SPARK_MODEL"), fc.Model),
		BaseURL:    first(fl.BaseURL, getenv("OPENAI_BASE_URL"), fc.BaseURL),
		APIKey:     first(getenv("OPENAI_API_KEY"), fc.APIKey),
		Prediction: fc.Prediction || getenv("SPARK_PREDICTION") == "1",
	}
	f, err := parseFormat(first(fl.Format, getenv("SPARK_FORMAT"), fc.Format))
	if err != nil {
		return settings{}, err
	}
	s.Format = f
	s.relay = sessionRelay(getenv)
	if st := first(getenv("SPARK_STALL_TIMEOUT"), fc.StallTimeout); st != "" {
		d, err := time.ParseDuration(st)
		if err != nil || d <= 0 {
			return settings{}, fmt.Errorf("stall timeout %q: want a duration like 30s", st)
		}
		s.StallTimeout = d
	}
	if s.BaseURL != "" {
		if u, err := url.Parse(s.BaseURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return settings{}, usageErrorf("base URL %q: want http://host[:port][/path] or https://…", s.BaseURL)
		}
	}
	return s, nil
}

// needsLocalProbe reports whether nothing points at a model, so a local ollama is the only hope.
func (s *settings) needsLocalProbe() bool { return s.APIKey == "" && s.BaseURL == "" }

// probeLocal looks for a local ollama and points the settings at it; it fails with the one line
// that says what to set.
func (s *settings) probeLocal(ctx context.Context) error {
	u, ok := llm.LocalOllama(ctx, ollamaProbeTimeout)
	if !ok {
		return errors.New("no model configured: set OPENAI_API_KEY for OpenAI, or OPENAI_BASE_URL for a local server (ollama, llama.cpp, vLLM), or start ollama")
	}
	s.BaseURL, s.local = u, true
	return nil
}

// finish fills the defaults that depend on where the model lives.
func (s *settings) finish() {
	if s.Model == "" {
		s.Model = defaultModel
		if s.local {
			s.Model = defaultLocalModel
		}
	}
	if s.Format == patch.FormatAuto {
		s.Format = defaultFormat(s.BaseURL, s.Model)
	}
}

// defaultFormat picks apply_patch (V4A) for OpenAI's models, which are trained on it, and
// SEARCH/REPLACE for everything else, which small local models follow more reliably.
func defaultFormat(baseURL, model string) patch.Format {
	if isOpenAIHost(baseURL) {
		return patch.FormatV4A
	}
	m := strings.ToLower(model)
	if i := strings.LastIndexByte(m, '/'); i >= 0 {
		m = m[i+1:]
	}
	if strings.HasPrefix(m, "gpt-") || strings.Contains(m, "codex") ||
		(len(m) > 1 && m[0] == 'o' && m[1] >= '1' && m[1] <= '9') {
		return patch.FormatV4A
	}
	return patch.FormatSearchReplace
}

func isOpenAIHost(baseURL string) bool {
	if baseURL == "" {
		return true
	}
	u, err := url.Parse(baseURL)
	return err == nil && strings.HasSuffix(u.Hostname(), "openai.com")
}

// parseFormat accepts the --format names, with the short spellings people type.
func parseFormat(s string) (patch.Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return patch.FormatAuto, nil
	case "v4a", "apply_patch", "apply-patch", "patch":
		return patch.FormatV4A, nil
	case "search-replace", "search_replace", "sr", "diff-fenced":
		return patch.FormatSearchReplace, nil
	case "whole", "whole-file":
		return patch.FormatWhole, nil
	case "unified", "udiff":
		return patch.FormatUnified, nil
	}
	return "", usageErrorf("unknown format %q: want auto, v4a, search-replace, whole or unified", s)
}

// llmConfig turns settings into the client's configuration. Inside a spark shell session the
// requests go through the session's relay, which holds a warm connection to the model host.
func (s *settings) llmConfig() llm.Config {
	cfg := llm.Config{
		BaseURL:      s.BaseURL,
		APIKey:       s.APIKey,
		Model:        s.Model,
		StallTimeout: s.StallTimeout,
	}
	if s.relay != "" {
		cfg.HTTPClient = llm.RelayClient(s.relay)
	}
	return cfg
}

// sessionRelay returns the model relay socket of the live spark shell session this process
// runs in ($SPARK_RELAY, set by the session), or "" when there is none or the socket is not
// this user's own: the API key travels over it.
func sessionRelay(getenv func(string) string) string {
	socket := getenv(envRelay)
	if socket == "" {
		return ""
	}
	if _, ok := shell.SessionDir(getenv); !ok || llm.CheckRelaySocket(socket) != nil {
		return ""
	}
	return socket
}

// host names the model server in messages.
func (s *settings) host() string {
	if s.BaseURL == "" {
		return "api.openai.com"
	}
	if u, err := url.Parse(s.BaseURL); err == nil && u.Host != "" {
		return u.Host
	}
	return s.BaseURL
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
