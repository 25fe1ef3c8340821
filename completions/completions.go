package completions

import (
	_ "embed"
	"fmt"
)

// The scripts, one file each.
var (
	//go:embed spark.bash
	bashCompletion string
	//go:embed _spark
	zshCompletion string
	//go:embed spark.fish
	fishCompletion string
	//go:embed init.bash
	bashWidget string
	//go:embed init.zsh
	zshWidget string
	//go:embed init.fish
	fishWidget string
)

// Shells lists the shells there are scripts for.
var Shells = []string{"bash", "zsh", "fish"}

// Completion returns the completion script for shell (bash, zsh or fish); it fails for any
// other shell.
func Completion(shell string) (string, error) {
	switch shell {
	case "bash":
		return bashCompletion, nil
	case "zsh":
		return zshCompletion, nil
	case "fish":
		return fishCompletion, nil
	}
	return "", unknown(shell)
}

// Widget returns the inline-suggestion widget for shell (bash, zsh or fish), which binds the
// key its caller set beforehand; it fails for any other shell.
func Widget(shell string) (string, error) {
	switch shell {
	case "bash":
		return bashWidget, nil
	case "zsh":
		return zshWidget, nil
	case "fish":
		return fishWidget, nil
	}
	return "", unknown(shell)
}

func unknown(shell string) error {
	return fmt.Errorf("no script for shell %q: want bash, zsh or fish", shell)
}
