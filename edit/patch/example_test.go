package patch_test

import (
	"errors"
	"fmt"

	"github.com/spark-cli/spark/edit/patch"
)

func ExampleParser() {
	file := []byte("package main\nfunc main() {\n\tprintln(\"hi\")\n}\n")
	m := patch.NewMatcher("main.go", file)
	p := patch.NewParser(patch.FormatAuto, func(e patch.Event) {
		switch e.Kind {
		case patch.EvFile:
			fmt.Println("file", e.Path)
		case patch.EvDelete:
			fmt.Println("-", e.Text)
		case patch.EvInsert:
			fmt.Println("+", e.Text)
		case patch.EvHunkDone:
			// Check each hunk as soon as it is complete.
			var he *patch.HunkError
			if err := m.Add(e.Hunk); errors.As(err, &he) {
				fmt.Println(he.RepairHint())
			}
		}
	})
	for _, chunk := range []string{"Say hello.\n*** Begin Pa", "tch\n*** Update File: main.go\n@@ func main() {\n-\tprintln(\"hi\")\n+\tprint", "ln(\"hello\")\n*** End Patch\n"} {
		p.Feed(chunk)
	}
	if _, err := p.Close(); err != nil {
		fmt.Println(err)
		return
	}
	out, err := m.Result()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(patch.Unified("main.go", file, out))
	// Output:
	// file main.go
	// - 	println("hi")
	// + 	println("hello")
	// --- a/main.go
	// +++ b/main.go
	// @@ -1,4 +1,4 @@
	//  package main
	//  func main() {
	// -	println("hi")
	// +	println("hello")
	//  }
}

func ExampleApplyFile() {
	reply := "app.py\n```python\n<<<<<<< SEARCH\nprint(“hi”)\n=======\nprint(\"hello\")\n>>>>>>> REPLACE\n```\n"
	p, err := patch.Parse(reply, patch.FormatAuto)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The file has straight quotes: the hunk matches once curly quotes are folded.
	out, err := patch.ApplyFile(p.Files[0].Path, []byte("x = 1\r\nprint(\"hi\")\r\n"), p.Files[0])
	fmt.Printf("%s %q %v\n", p.Format, out, err)
	// Output: search-replace "x = 1\r\nprint(\"hello\")\r\n" <nil>
}
