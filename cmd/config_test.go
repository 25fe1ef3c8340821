package cmd

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spark-cli/spark/edit"
	"github.com/spark-cli/spark/internal/toml"
)

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadSettingsPrecedence(t *testing.T) {
	cfgDir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cfgDir, "spark"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := os.WriteFile(filepath.Join(cfgDir, "spark", "config.toml"), []byte(`
model = "file-model"
base_url = "http://file.example:1/v1"
api_key = "file-key"
format = "whole"
stall_timeout = "5s"
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		env   map[string]string
		flags modelFlags
		want  settings
	}{
		{
			name: "file only",
			env:  map[string]string{"XDG_CONFIG_HOME": cfgDir},
			want: settings{Model: "file-model", BaseURL: "http://file.example:1/v1", APIKey: "file-key", Format: edit.FormatWhole, StallTimeout: 5 * time.Second},
		},
		{
			name: "env beats file",
			env: map[string]string{"XDG_CONFIG_HOME": cfgDir, "SPARK_MODEL": "env-model", "OPENAI_BASE_URL": "http://env.example/v1",
				"OPENAI_API_KEY": "env-key", "SPARK_FORMAT": "v4a", "SPARK_STALL_TIMEOUT": "7s"},
			want: settings{Model: "env-model", BaseURL: "http://env.example/v1", APIKey: "env-key", Format: edit.FormatV4A, StallTimeout: 7 * time.Second},
		},
		{
			name:  "flag beats env",
			env:   map[string]string{"XDG_CONFIG_HOME": cfgDir, "SPARK_MODEL": "env-model", "OPENAI_BASE_URL": "http://env.example/v1"},
			flags: modelFlags{Model: "flag-model", BaseURL: "https://flag.example/v1", Format: "search-replace"},
			want:  settings{Model: "flag-model", BaseURL: "https://flag.example/v1", APIKey: "file-key", Format: edit.FormatSearchReplace, StallTimeout: 5 * time.Second},
		},
		{
			name: "no file",
			env:  map[string]string{"XDG_CONFIG_HOME": t.TempDir()},
			want: settings{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loadSettings(envMap(tt.env), tt.flags)
			if err != nil {
				t.Fatalf("loadSettings: %v", err)
			}
			if got != tt.want {
				t.Errorf("loadSettings = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLoadSettingsErrors(t *testing.T) {
	bad := t.TempDir()
	os.MkdirAll(filepath.Join(bad, "spark"), 0o755)
	os.WriteFile(filepath.Join(bad, "spark", "config.toml"), []byte("model = \n"), 0o600)
	tests := []struct {
		name  string
		env   map[string]string
		flags modelFlags
	}{
		{"bad toml", map[string]string{"XDG_CONFIG_HOME": bad}, modelFlags{}},
		{"bad format", map[string]string{"HOME": t.TempDir()}, modelFlags{Format: "yaml"}},
		{"bad url", map[string]string{"HOME": t.TempDir()}, modelFlags{BaseURL: "localhost:8080"}},
		{"bad stall", map[string]string{"HOME": t.TempDir(), "SPARK_STALL_TIMEOUT": "soon"}, modelFlags{}},
	}
	for _, tt := range tests {
		if _, err := loadSettings(envMap(tt.env), tt.flags); err == nil {
			t.Errorf("loadSettings(%s) = nil error, want one", tt.name)
		}
	}
	_, err := loadSettings(envMap(map[string]string{"XDG_CONFIG_HOME": bad}), modelFlags{})
	var pe *toml.ParseError
	if !errors.As(err, &pe) || pe.Line != 1 {
		t.Errorf("loadSettings(bad toml) = %v, want a *toml.ParseError on line 1", err)
	}
}

func TestDecodeConfig(t *testing.T) {
	tests := []struct {
		name, src string
		want      fileConfig
		wantErr   string // "" for none
	}{
		{"all keys", "model = \"m\"\nbase_url = \"http://h/v1\"\napi_key = \"k\"\nformat = \"whole\"\nprediction = true\nstall_timeout = \"5s\"\n",
			fileConfig{Model: "m", BaseURL: "http://h/v1", APIKey: "k", Format: "whole", Prediction: true, StallTimeout: "5s"}, ""},
		{"unknown keys are ignored", "model = \"m\"\ntheme = 3\n[extra]\nx = 1\n", fileConfig{Model: "m"}, ""},
		{"a key matches regardless of case", "Model = \"m\"\n", fileConfig{Model: "m"}, ""},
		{"the exact key wins", "MODEL = \"a\"\nmodel = \"b\"\n", fileConfig{Model: "b"}, ""},
		{"wrong type", "model = 4\n", fileConfig{}, `key "model": want a string, got an integer`},
		{"wrong type for a boolean", "prediction = \"yes\"\n", fileConfig{}, `key "prediction": want true or false, got a string`},
		{"a table for a string", "[base_url]\n", fileConfig{}, `key "base_url": want a string, got a table`},
		{"not toml", "model = \n", fileConfig{}, "line 1, column 9: expected a value, found newline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got fileConfig
			err := decodeConfig([]byte(tt.src), &got)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("decodeConfig(%q) = %v, want %q", tt.src, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("decodeConfig(%q) = %+v, %v, want %+v", tt.src, got, err, tt.want)
			}
		})
	}
}

func TestFinishDefaults(t *testing.T) {
	s := settings{BaseURL: "http://127.0.0.1:11434/v1", local: true}
	s.finish()
	if s.Model != defaultLocalModel || s.Format != edit.FormatSearchReplace {
		t.Errorf("finish() on local = %+v, want model %q and search-replace", s, defaultLocalModel)
	}
	s = settings{APIKey: "k"}
	s.finish()
	if s.Model != defaultModel || s.Format != edit.FormatV4A {
		t.Errorf("finish() on OpenAI = %+v, want model %q and v4a", s, defaultModel)
	}
}
