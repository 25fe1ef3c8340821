package llm

import (
	"net/url"
	"strings"
)

// DefaultBaseURL is the API root used when Config.BaseURL is empty: OpenAI's.
const DefaultBaseURL = "https://api.openai.com/v1"

// HostOf names the model server of baseURL in messages: its host[:port], OpenAI's host when
// baseURL is empty, and baseURL itself when it has no host.
func HostOf(baseURL string) string {
	if baseURL == "" {
		return "api.openai.com"
	}
	if u, err := url.Parse(baseURL); err == nil && u.Host != "" {
		return u.Host
	}
	return baseURL
}

// IsOpenAIModel reports whether model is one of OpenAI's: served by OpenAI itself (baseURL
// empty or on openai.com), or named like one (gpt-…, o1…o9, …codex…) through another server
// such as OpenRouter. Such models are trained on the apply_patch edit format.
func IsOpenAIModel(baseURL, model string) bool {
	if isOpenAIHost(baseURL) {
		return true
	}
	m := modelName(model)
	return strings.HasPrefix(m, "gpt-") || strings.Contains(m, "codex") || isOSeries(m)
}

// IsReasoningModel reports OpenAI's reasoning models (o1, o3, o4-mini, gpt-5…, codex-mini),
// which reject a temperature and count their reasoning against the token limit.
func IsReasoningModel(model string) bool {
	m := modelName(model)
	return strings.HasPrefix(m, "gpt-5") || strings.HasPrefix(m, "codex-") || isOSeries(m)
}

func isOpenAIHost(baseURL string) bool {
	if baseURL == "" {
		return true
	}
	u, err := url.Parse(baseURL)
	return err == nil && strings.HasSuffix(u.Hostname(), "openai.com")
}

// modelName lower-cases a model name and drops a provider prefix ("openai/gpt-4.1").
func modelName(model string) string {
	m := strings.ToLower(model)
	if i := strings.LastIndexByte(m, '/'); i >= 0 {
		m = m[i+1:]
	}
	return m
}

// isOSeries reports o1, o3, o4-mini and the like.
func isOSeries(m string) bool { return len(m) > 1 && m[0] == 'o' && m[1] >= '1' && m[1] <= '9' }
