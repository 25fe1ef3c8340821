package cmd

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spark-cli/spark/edit"
	"github.com/spark-cli/spark/internal/toml"
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
	Model        string
	BaseURL      string
	APIKey       string
	Format       string
	Prediction   bool
	StallTimeout string
}

// decodeConfig fills fc from the config file's text. Unknown keys are ignored and a key matches
// regardless of case when no key matches exactly, as the file was read before; a known key with
// a value of the wrong type is an error that names it.
func decodeConfig(data []byte, fc *fileConfig) error {
	doc, err := toml.Parse(data)
	if err != nil {
		return err
	}
	strs := []struct {
		key string
		dst *string
	}{
		{"model", &fc.Model}, {"base_url", &fc.BaseURL}, {"api_key", &fc.APIKey},
		{"format", &fc.Format}, {"stall_timeout", &fc.StallTimeout},
	}
	for _, f := range strs {
		if v, ok := configValue(doc, f.key); ok {
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("key %q: want a string, got %s", f.key, toml.TypeName(v))
			}
			*f.dst = s
		}
	}
	if v, ok := configValue(doc, "prediction"); ok {
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("key %q: want true or false, got %s", "prediction", toml.TypeName(v))
		}
		fc.Prediction = b
	}
	return nil
}

// configValue looks key up in doc, exactly and then regardless of case.
func configValue(doc map[string]any, key string) (any, bool) {
	if v, ok := doc[key]; ok {
		return v, true
	}
	for k, v := range doc {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
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
	Format       edit.Format // FormatAuto until resolved per edit
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
			if err := decodeConfig(data, &fc); err != nil {
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
	f, err := edit.ParseFormat(first(fl.Format, getenv("SPARK_FORMAT"), fc.Format))
	if err != nil {
		return settings{}, usageErrorf("%s", err)
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

// errNoModel says what to set when no model is configured and no local server answers.
var errNoModel = errors.New("no model configured: set OPENAI_API_KEY for OpenAI, or OPENAI_BASE_URL for a local server (ollama, llama.cpp, vLLM), or start ollama")

// finish fills the defaults that depend on where the model lives.
func (s *settings) finish() {
	if s.Model == "" {
		s.Model = defaultModel
		if s.local {
			s.Model = defaultLocalModel
		}
	}
	if s.Format == edit.FormatAuto {
		s.Format = edit.DefaultFormat(llm.IsOpenAIModel(s.BaseURL, s.Model))
	}
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
func (s *settings) host() string { return llm.HostOf(s.BaseURL) }

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
