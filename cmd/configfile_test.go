package cmd

import (
	"testing"

	"github.com/BurntSushi/toml"
)

// TestDecodeConfig holds decodeConfig to a full TOML decoder: what it accepts decodes to the
// same settings, and what it refuses is invalid TOML or, where marked, TOML beyond the subset.
func TestDecodeConfig(t *testing.T) {
	tests := []struct {
		in     string
		want   fileConfig
		subset bool // valid TOML that decodeConfig refuses on purpose
	}{
		{in: "", want: fileConfig{}},
		{in: "model = \"m\"\nbase_url = \"http://h:1/v1\"\napi_key = 'k'\nformat = \"whole\"\nprediction = true\nstall_timeout = \"5s\"\n",
			want: fileConfig{Model: "m", BaseURL: "http://h:1/v1", APIKey: "k", Format: "whole", Prediction: true, StallTimeout: "5s"}},
		{in: "# comment\n\n  model=\"m\"   # trailing\r\nprediction = false\n", want: fileConfig{Model: "m"}},
		{in: "\ufeffmodel = \"m\"", want: fileConfig{Model: "m"}},
		{in: `"model" = "quoted key"`, want: fileConfig{Model: "quoted key"}},
		{in: `model = "tab\there \"q\" back\\slash \u00e9 \U0001F600 \n"`, want: fileConfig{Model: "tab\there \"q\" back\\slash é 😀 \n"}},
		{in: `model = 'C:\path\no escapes'`, want: fileConfig{Model: `C:\path\no escapes`}},
		{in: "model = \"a # not a comment\"", want: fileConfig{Model: "a # not a comment"}},
		{in: "unknown = \"ignored\"\nother = true\nmodel = \"m\"", want: fileConfig{Model: "m"}},
		{in: "model = \"é世界\"", want: fileConfig{Model: "é世界"}},

		{in: "model = \n"},
		{in: "model"},
		{in: "model = \"unterminated"},
		{in: "model = 'unterminated"},
		{in: "model = \"a\" \"b\""},
		{in: "model = \"a\"\nmodel = \"b\""},
		{in: "model = 3"},
		{in: "prediction = \"yes\""},
		{in: "prediction = 1"},
		{in: "model = true"},
		{in: "model = \"bad \\q escape\""},
		{in: "model = \"bad \\uD800 surrogate\""},
		{in: "model = \"ctl \x01 char\""},
		{in: "= \"no key\""},
		{in: "model = truex"},
		{in: "model = \"\xff\""},

		{in: "[spark]\nmodel = \"m\"", subset: true},
		{in: "spark.model = \"m\"", subset: true},
		{in: "model = \"\"\"multi\nline\"\"\"", subset: true},
		{in: "tags = [\"a\"]\nmodel = \"m\"", subset: true},
		{in: "retries = 3", subset: true},
	}
	for _, tt := range tests {
		got, err := decodeConfig([]byte(tt.in))
		var ref fileConfig
		_, refErr := toml.Decode(tt.in, &ref)
		switch {
		case err == nil && refErr != nil:
			t.Errorf("decodeConfig(%q) = %+v, nil; a TOML decoder refuses it: %v", tt.in, got, refErr)
		case err == nil && got != ref:
			t.Errorf("decodeConfig(%q) = %+v; a TOML decoder reads %+v", tt.in, got, ref)
		case err == nil && got != tt.want:
			t.Errorf("decodeConfig(%q) = %+v, want %+v", tt.in, got, tt.want)
		case err != nil && refErr == nil && !tt.subset:
			t.Errorf("decodeConfig(%q) = %v; a TOML decoder reads %+v", tt.in, err, ref)
		case err != nil && tt.want != (fileConfig{}):
			t.Errorf("decodeConfig(%q) = %v, want %+v", tt.in, err, tt.want)
		case err == nil && tt.subset:
			t.Errorf("decodeConfig(%q) = %+v, nil; want it refused as beyond the subset", tt.in, got)
		}
	}
}
