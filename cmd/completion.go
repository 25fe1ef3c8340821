package cmd

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/spark-cli/spark/completions"
)

func newCompletionCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the completion script for bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: `Completes the commands, their flags and the values of --format and --shell, files
for edit and shells for init and completion. "spark init" includes it; to load only the
completion:

   bash:  source <(spark completion bash)                   (in ~/.bashrc)
   zsh:   source <(spark completion zsh)                    (in ~/.zshrc, after compinit)
          or save it as _spark in a directory of $fpath
   fish:  spark completion fish > ~/.config/fish/completions/spark.fish`,
		Action: func(c *cli.Context) error {
			sh, err := shellArg(c)
			if err != nil {
				return err
			}
			return runCompletion(e, sh)
		},
	}
}

func runCompletion(e *env, sh string) error {
	script, err := completions.Completion(sh)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(e.streams.Out, script)
	return err
}

// shellArg is the one argument of init and completion: a shell there are scripts for.
func shellArg(c *cli.Context) (string, error) {
	name := c.Command.Name
	if c.Args().Len() != 1 {
		return "", usageErrorf("%s needs one shell: spark %s bash|zsh|fish", name, name)
	}
	sh := c.Args().First()
	if !slices.Contains(completions.Shells, sh) {
		return "", usageErrorf("%s: unknown shell %q: want %s", name, sh, strings.Join(completions.Shells, ", "))
	}
	return sh, nil
}
