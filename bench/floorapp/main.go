// Command floorapp is the start-up floor of a tool built on spark's design card: it links the
// packages the card names and reaches the code a streaming edit tool of its kind cannot do
// without (an HTTP client read through openai-go's SSE decoder, a pty, a glob, colour), and
// answers --version through urfave/cli as spark does. The floor benchmark times it beside
// spark --version, so that what spark's own code adds at start-up is told apart from what its
// dependencies cost before main runs.
package main

import (
	"net/http"
	"os"
	"os/exec"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/creack/pty"
	"github.com/fatih/color"
	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/urfave/cli/v2"
)

func main() {
	app := &cli.App{
		Name:    "floorapp",
		Version: "dev",
		// As spark does: left zero, urfave/cli stats the executable for a date.
		Compiled: time.Unix(0, 0).UTC(),
		Action: func(c *cli.Context) error {
			files, err := doublestar.FilepathGlob(c.Args().Get(1))
			if err != nil {
				return err
			}
			req, err := http.NewRequestWithContext(c.Context, http.MethodPost, c.Args().First(), nil)
			if err != nil {
				return err
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			stream := ssestream.NewStream[map[string]any](ssestream.NewDecoder(resp), nil)
			for stream.Next() {
				color.New(color.FgGreen).Fprintln(c.App.Writer, stream.Current(), len(files))
			}
			f, err := pty.Start(exec.Command(c.Args().Get(2)))
			if err != nil {
				return err
			}
			return f.Close()
		},
	}
	if err := app.Run(os.Args); err != nil {
		os.Exit(1)
	}
}
