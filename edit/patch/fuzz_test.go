package patch

import (
	"strings"
	"testing"
)

var fuzzFormats = [...]Format{FormatAuto, FormatV4A, FormatSearchReplace, FormatWhole, FormatUnified}

func formatIndex(f Format) byte {
	for i, g := range fuzzFormats {
		if g == f {
			return byte(i)
		}
	}
	return 0
}

// FuzzParse checks that no reply makes the parser or the matcher panic, and that the events and
// the patch do not depend on how the reply is chunked.
func FuzzParse(f *testing.F) {
	for _, c := range Cases {
		f.Add(fenced(c.Reply), formatIndex(c.Format))
	}
	f.Fuzz(func(t *testing.T, reply string, format byte) {
		fm := fuzzFormats[int(format)%len(fuzzFormats)]
		want := stream(reply, fm, whole)
		for name, split := range map[string]func(string) []string{"3-byte": fixed(3), "random": random(uint64(len(reply)))} {
			if d := diffResults(stream(reply, fm, split), want); d != "" {
				t.Fatalf("stream(%q, %q) in %s chunks: %s", reply, fm, name, d)
			}
		}
		if want.Patch == nil {
			return
		}
		for _, fp := range want.Patch.Files {
			// Any text will do as the file: the reply itself shares lines with the patch.
			ApplyFile(fp.Path, []byte(reply), fp)
			ApplyFile(fp.Path, nil, fp)
		}
	})
}

// FuzzApply checks that a unified diff made by Unified, parsed back and applied to the old text,
// gives the new text, and that Stat agrees with the diff.
func FuzzApply(f *testing.F) {
	for _, c := range Cases {
		if got, err := applyCase(c); err == nil {
			for _, text := range got {
				f.Add(c.File, text)
			}
		}
	}
	f.Fuzz(func(t *testing.T, old, new string) {
		// Replies are read with CR line endings stripped, so a diff cannot carry a lone CR; and a
		// Matcher keeps a leading BOM as a property of the file, which no hunk carries.
		clean := func(s string) string { return strings.TrimLeft(strings.ReplaceAll(s, "\r", ""), bom) }
		old, new = clean(old), clean(new)
		d := Unified("f.txt", []byte(old), []byte(new))
		added, removed := Stat([]byte(old), []byte(new))
		if old == new {
			if d != "" || added != 0 || removed != 0 {
				t.Fatalf("Unified(%q, %q) = %q, Stat = %d, %d; want empty", old, new, d, added, removed)
			}
			return
		}
		plus, minus := 0, 0
		for i, l := range strings.Split(d, "\n") {
			switch {
			case i < 2 || l == "":
			case l[0] == '+':
				plus++
			case l[0] == '-':
				minus++
			}
		}
		if plus != added || minus != removed {
			t.Fatalf("Stat(%q, %q) = %d, %d; Unified has %d, %d", old, new, added, removed, plus, minus)
		}
		p, err := Parse(d, FormatUnified)
		if err != nil {
			t.Fatalf("Parse(Unified(%q, %q) = %q) error: %v", old, new, d, err)
		}
		if len(p.Files) != 1 {
			t.Fatalf("Parse(%q) = %d files, want 1", d, len(p.Files))
		}
		got, err := ApplyFile("f.txt", []byte(old), p.Files[0])
		if err != nil {
			t.Fatalf("ApplyFile(%q, Parse(%q)) error: %v", old, d, err)
		}
		if string(got) != new {
			t.Fatalf("ApplyFile(%q, Parse(%q)) = %q, want %q", old, d, got, new)
		}
	})
}
