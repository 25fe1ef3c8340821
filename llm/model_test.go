package llm

import "testing"

func TestIsOpenAIModel(t *testing.T) {
	tests := []struct {
		base, model string
		want        bool
	}{
		{"", "gpt-4.1-mini", true},
		{"https://api.openai.com/v1", "anything", true},
		{"http://127.0.0.1:11434/v1", "qwen2.5-coder:7b", false},
		{"https://openrouter.ai/api/v1", "openai/gpt-4.1", true},
		{"http://localhost:8000/v1", "o4-mini", true},
		{"http://localhost:8000/v1", "gpt-5.3-codex-spark", true},
		{"http://localhost:8080/v1", "llama3", false},
		{"http://localhost:8080/v1", "olmo", false},
	}
	for _, tt := range tests {
		if got := IsOpenAIModel(tt.base, tt.model); got != tt.want {
			t.Errorf("IsOpenAIModel(%q, %q) = %v, want %v", tt.base, tt.model, got, tt.want)
		}
	}
}

func TestIsReasoningModel(t *testing.T) {
	for model, want := range map[string]bool{
		"o1": true, "o3-mini": true, "o4-mini": true, "gpt-5": true, "gpt-5-mini": true, "openai/gpt-5.1": true,
		"codex-mini-latest": true, "gpt-4.1-mini": false, "gpt-4o": false, "qwen2.5-coder:7b": false, "ollama": false,
	} {
		if got := IsReasoningModel(model); got != want {
			t.Errorf("IsReasoningModel(%q) = %v, want %v", model, got, want)
		}
	}
}

func TestHostOf(t *testing.T) {
	for base, want := range map[string]string{
		"":                          "api.openai.com",
		"http://127.0.0.1:11434/v1": "127.0.0.1:11434",
		"https://openrouter.ai/api": "openrouter.ai",
		"not a url":                 "not a url",
	} {
		if got := HostOf(base); got != want {
			t.Errorf("HostOf(%q) = %q, want %q", base, got, want)
		}
	}
}
