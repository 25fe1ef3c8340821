package shell_test

import (
	"fmt"
	"os"
	"time"

	"github.com/spark-cli/spark/shell"
)

func ExampleFormat() {
	records := []shell.Record{
		{Command: "cd app && go build ./...", Cwd: "/src", Status: 1, Duration: 1500 * time.Millisecond,
			Output: "# example.com/app\n./main.go:5:10: undefined: y"},
		{Command: "ls", Cwd: "/src/app", Status: 0, Duration: 3 * time.Millisecond, Output: "go.mod\nmain.go"},
	}
	if r, ok := shell.LastFailed(records); ok {
		fmt.Print(shell.Format([]shell.Record{r}, 0))
	}
	// Output:
	// # /src · exit 1 · 1.5s
	// $ cd app && go build ./...
	// # example.com/app
	// ./main.go:5:10: undefined: y
}

func ExampleSessionDir() {
	dir, ok := shell.SessionDir(os.Getenv)
	if !ok {
		fmt.Println("not inside spark shell")
		return
	}
	records, err := shell.ReadRecords(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(shell.Format(records, 5))
}
