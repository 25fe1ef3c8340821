package llmtest

import (
	"fmt"
	"net/http"
	"strings"
)

// errorBody returns OpenAI's error body for status: the object OpenAI sends, pretty-printed
// with four spaces as the API does. model names the requested model where OpenAI's message
// would.
func errorBody(status int, model string) string {
	msg, typ, code := defaultError(status, model)
	return formatError(msg, typ, code)
}

// formatError renders {"error":{...}} in OpenAI's layout; an empty code is sent as null.
func formatError(msg, typ, code string) string {
	var b strings.Builder
	b.WriteString("{\n    \"error\": {\n        \"message\": ")
	b.Write(appendJSONString(nil, msg))
	b.WriteString(",\n        \"type\": ")
	b.Write(appendJSONString(nil, typ))
	b.WriteString(",\n        \"param\": null,\n        \"code\": ")
	if code == "" {
		b.WriteString("null")
	} else {
		b.Write(appendJSONString(nil, code))
	}
	b.WriteString("\n    }\n}\n")
	return b.String()
}

// defaultError gives the message, type and code OpenAI uses for status.
func defaultError(status int, model string) (msg, typ, code string) {
	switch status {
	case http.StatusBadRequest:
		return "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)", "invalid_request_error", ""
	case http.StatusUnauthorized:
		return "Incorrect API key provided: sk-test. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key"
	case http.StatusForbidden:
		return "Project does not have access to model " + quoteModel(model) + ".", "invalid_request_error", "model_not_found"
	case http.StatusNotFound:
		return "The model " + quoteModel(model) + " does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"
	case http.StatusUnprocessableEntity:
		return "Invalid request parameters.", "invalid_request_error", ""
	case http.StatusTooManyRequests:
		return "Rate limit reached for " + model + " in organization org-test on tokens per min (TPM): Limit 30000, Used 30000, Requested 100. Please try again in 1s. Visit https://platform.openai.com/account/rate-limits to learn more.", "tokens", "rate_limit_exceeded"
	case http.StatusInternalServerError:
		return "The server had an error while processing your request. Sorry about that!", "server_error", ""
	case http.StatusServiceUnavailable:
		return "The server is overloaded or not ready yet.", "server_error", ""
	}
	return fmt.Sprintf("The server returned status %d.", status), "server_error", ""
}

func quoteModel(model string) string { return "`" + model + "`" }
