// Package completions holds spark's shell scripts, embedded in the binary and printed as they
// are: the completion scripts (`spark completion bash|zsh|fish`) and the inline-suggestion
// widgets (`spark init bash|zsh|fish`, which prints a widget and then the completion script).
//
// The scripts are static: nothing in them is generated at run time, so they can be read,
// reviewed and installed as files. A test in package cmd fails when a command or flag of the
// CLI is missing from any of them.
//
// A widget script expects its caller to set the key first, in the shell's own notation
// (_spark_key for zsh and bash, __spark_key for fish) and as a person writes it
// (_spark_key_name, __spark_key_name); spark init does, with ParseKey and Key.Sequence. What a
// widget receives is one command line: CleanSuggestion takes it out of a model's reply.
package completions
