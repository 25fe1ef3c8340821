package main

import (
	"context"
	"fmt"
	"os"
)

// workspace makes a temporary directory for a suite and builds spark into it. The caller
// removes work when done.
func workspace(ctx context.Context, suite string) (work, bin string, err error) {
	work, err = os.MkdirTemp("", "spark-bench-"+suite)
	if err != nil {
		return "", "", err
	}
	if bin, err = buildSpark(ctx, work); err != nil {
		os.RemoveAll(work)
		return "", "", err
	}
	return work, bin, nil
}

// table collects a suite's figures, echoing each to stderr as soon as it is measured, and
// prints them as one markdown table at the end.
type table struct {
	rows  [][3]string
	width int // of the name column in the progress lines
}

func (t *table) add(name, value, target string) {
	t.rows = append(t.rows, [3]string{name, value, target})
	fmt.Fprintf(os.Stderr, "  %-*s %s\n", t.width, name, value)
}

// print writes the table under a header such as "**spark fix**" or "| spark edit".
func (t *table) print(title string) {
	fmt.Printf("\n%s\n\n| figure | measured | target |\n| --- | --- | --- |\n", title)
	for _, r := range t.rows {
		fmt.Printf("| %s | %s | %s |\n", r[0], r[1], r[2])
	}
}
