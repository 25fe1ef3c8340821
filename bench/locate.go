package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/spark-cli/spark/edit/locate"
)

func init() { suites["locate"] = runLocateBench }

// corpusDir holds real failures recorded from the real tools (see edit/locate/corpus_test.go):
// each case names, in its fix: line, the files a correct fix changes.
const corpusDir = "edit/locate/testdata/corpus"

// runLocateBench runs spark fix's locator on every recorded failure of the corpus and measures
// how often the files that need the fix reach the model, and how large the prompt's files and
// error text are.
func runLocateBench(ctx context.Context, _ []string) error {
	paths, err := filepath.Glob(filepath.Join(corpusDir, "*.txtar"))
	if err != nil || len(paths) == 0 {
		return fmt.Errorf("no corpus in %s (run from the repository root): %v", corpusDir, err)
	}
	work, err := os.MkdirTemp("", "spark-bench-locate")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	var reached int
	var sizes []float64
	var times []time.Duration
	var missed []string
	for i, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		ar, err := txtar.ParseFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(filepath.Base(p), ".txtar")
		root := filepath.Join(work, fmt.Sprint(i))
		meta := map[string]string{}
		for _, line := range strings.Split(string(ar.Comment), "\n") {
			if k, v, ok := strings.Cut(line, ": "); ok {
				meta[k] = strings.TrimSpace(v)
			}
		}
		var output string
		for _, f := range ar.Files {
			switch f.Name {
			case "output":
				output = string(f.Data)
			case "want":
			default:
				fp := filepath.Join(root, filepath.FromSlash(f.Name))
				if err := os.MkdirAll(filepath.Dir(fp), 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(fp, f.Data, 0o644); err != nil {
					return err
				}
			}
		}
		output = strings.ReplaceAll(output, "$ROOT", root)
		start := time.Now()
		rep, err := locate.Locate(output, locate.Options{Root: root, Dir: filepath.Join(root, filepath.FromSlash(meta["dir"]))})
		times = append(times, time.Since(start))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		var sent []string
		size := len(rep.Errors)
		for _, f := range rep.Files {
			rel, _ := filepath.Rel(root, f.Path)
			sent = append(sent, filepath.ToSlash(rel))
			size += f.Size
		}
		sizes = append(sizes, float64(size))
		ok := true
		for _, fix := range strings.Fields(meta["fix"]) {
			ok = ok && slices.Contains(sent, fix)
		}
		if ok {
			reached++
		} else {
			missed = append(missed, name)
		}
	}

	t := &table{width: 62}
	n := len(paths)
	share := fmt.Sprintf("%d of %d (%.0f%%)", reached, n, 100*float64(reached)/float64(n))
	if len(missed) > 0 {
		share += ", missed: " + strings.Join(missed, ", ")
	}
	t.add("failures where every file needing the fix is sent", share, "≥ 95%")
	t.add("files and error text sent, median", fmt.Sprintf("%.1f KB", medianFloat(sizes)/1024), "bounded")
	t.add("files and error text sent, largest", fmt.Sprintf("%.1f KB", slices.Max(sizes)/1024), fmt.Sprintf("≤ %d KB", (locate.DefaultMaxBytes+locate.DefaultMaxErrors)>>10))
	t.add("locate, median per failure", fmtMs(medianDuration(times)), "")
	t.print("**spark fix: finding the code to change**")
	return nil
}
