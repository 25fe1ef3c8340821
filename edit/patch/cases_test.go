package patch

import "strings"

// Case is one model reply and what applying it must produce. The table is shared by the parse,
// apply, streaming and fuzz tests.
type Case struct {
	Name   string
	Format Format            // format the caller asks for
	File   string            // the original text of the one file the reply edits
	Files  map[string]string // or, for multi-file replies, the original text of each file
	Reply  string            // the model's whole reply; ''' stands for a markdown fence
	Want   string            // the new text of the one file
	Prose  string            // if set, the Patch.Prose the reply must yield
	Wants  map[string]string // or of each file
	Named  []string          // the files named for editing, given to Parser.SetFiles; none if nil
	// WantErr is a substring of the expected error, of type ErrType: "parse" (*ParseError),
	// "hunk" (*HunkError) or "apply" (another ApplyFile error).
	WantErr string
	ErrType string
}

func fenced(s string) string { return strings.ReplaceAll(s, "'''", "```") }

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

const goMain = `package main

import "fmt"

func main() {
	fmt.Println("hello")
}
`

const pyTwoClasses = `class Reader:
    def run(self):
        self.open()
        return self.value

class Writer:
    def run(self):
        self.open()
        return self.value
`

// writerReturns is pyTwoClasses with Writer.run returning expr.
func writerReturns(expr string) string {
	i := strings.Index(pyTwoClasses, "class Writer")
	return pyTwoClasses[:i] + strings.Replace(pyTwoClasses[i:], "return self.value", "return "+expr, 1)
}

// Cases is the shared case table.
var Cases = []Case{
	{
		Name:   "v4a-basic",
		Prose:  "Say hello to the world instead.",
		Format: FormatV4A,
		File:   goMain,
		Reply: `Say hello to the world instead.
*** Begin Patch
*** Update File: main.go
@@ func main() {
 func main() {
-	fmt.Println("hello")
+	fmt.Println("hello, world")
 }
*** End Patch
`,
		Want: strings.Replace(goMain, `"hello"`, `"hello, world"`, 1),
	},
	{
		Name:   "v4a-fenced-with-prose",
		Prose:  "I changed the greeting.\n\nLet me know if you want anything else.",
		Format: FormatAuto,
		File:   goMain,
		Reply: fenced(`I changed the greeting.

'''diff
*** Begin Patch
*** Update File: main.go
@@
 func main() {
-	fmt.Println("hello")
+	fmt.Println("hi")
 }
*** End Patch
'''

Let me know if you want anything else.
`),
		Want: strings.Replace(goMain, `"hello"`, `"hi"`, 1),
	},
	{
		Name:   "v4a-padded-markers",
		Format: FormatAuto,
		File:   goMain,
		Reply:  "  *** Begin Patch  \n***   Update File:   main.go  \n@@ func main() {\n \tfmt.Println(\"hello\")\n+\tfmt.Println(\"bye\")\n  *** End Patch\t\n",
		Want:   strings.Replace(goMain, "\tfmt.Println(\"hello\")\n", "\tfmt.Println(\"hello\")\n\tfmt.Println(\"bye\")\n", 1),
	},
	{
		Name:   "v4a-unified-header-separator",
		Format: FormatAuto,
		File:   "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n",
		Reply: `*** Begin Patch
*** Update File: letters.txt
@@ -1,3 +1,3 @@
 a
-b
+B
 c
@@ -8,3 +8,3 @@
 h
-i
+I
 j
*** End Patch
`,
		Want: "a\nB\nc\nd\ne\nf\ng\nh\nI\nj\n",
	},
	{
		Name:   "v4a-unified-header-anchor",
		Format: FormatAuto,
		File:   pyTwoClasses,
		Reply: `*** Begin Patch
*** Update File: io.py
@@ -6,4 +6,4 @@ class Writer:
     def run(self):
         self.open()
-        return self.value
+        return self.value + 1
*** End Patch
`,
		Want: writerReturns("self.value + 1"),
	},
	{
		Name:    "v4a-anchor-not-in-file",
		Format:  FormatAuto,
		File:    "func add(a, b int) int {\n\treturn a - b\n}\n",
		Reply:   "*** Begin Patch\n*** Update File: calc.go\n@@ func mul(a, b int) int {\n-\treturn a - b\n+\treturn a + b\n*** End Patch\n",
		WantErr: `calc.go: hunk 1: @@ line "func mul(a, b int) int {" not found`,
		ErrType: "hunk",
	},
	{
		Name:    "v4a-context-above-its-anchor",
		Format:  FormatAuto,
		File:    "func add(a, b int) int {\n\treturn a - b\n}\n\nfunc mul(a, b int) int {\n\treturn a * b\n}\n",
		Reply:   "*** Begin Patch\n*** Update File: calc.go\n@@ func mul(a, b int) int {\n-\treturn a - b\n+\treturn a + b\n*** End Patch\n",
		WantErr: `hunk 1: context found at line 2, not below @@ line "func mul(a, b int) int {" (line 5)`,
		ErrType: "hunk",
	},
	{
		Name:   "v4a-hunk-spans-its-anchor",
		Format: FormatAuto,
		File:   "// add adds.\nfunc add(a, b int) int {\n\treturn a - b\n}\n",
		Reply:  "*** Begin Patch\n*** Update File: calc.go\n@@ func add(a,  b int)\n-// add adds.\n+// add returns a+b.\n func add(a, b int) int {\n*** End Patch\n",
		Want:   "// add returns a+b.\nfunc add(a, b int) int {\n\treturn a - b\n}\n",
	},
	{
		Name:   "v4a-ab-prefix",
		Format: FormatAuto,
		File:   "x = 1\ny = 2\n",
		Reply:  "*** Begin Patch\n*** Update File: b/pkg/vars.py\n@@\n x = 1\n-y = 2\n+y = 3\n*** End Patch\n",
		Want:   "x = 1\ny = 3\n",
	},
	{
		Name:   "v4a-blank-context-line",
		Format: FormatAuto,
		File:   "def a():\n    pass\n\ndef b():\n    pass\n",
		Reply:  "*** Begin Patch\n*** Update File: m.py\n@@\n     pass\n\n def b():\n-    pass\n+    return 1\n*** End Patch\n",
		Want:   "def a():\n    pass\n\ndef b():\n    return 1\n",
	},
	{
		Name:   "v4a-missing-end-patch",
		Format: FormatAuto,
		File:   goMain,
		Reply:  "*** Begin Patch\n*** Update File: main.go\n@@\n-\tfmt.Println(\"hello\")\n+\tfmt.Println(\"hey\")\n",
		Want:   strings.Replace(goMain, `"hello"`, `"hey"`, 1),
	},
	{
		Name:   "v4a-reply-without-final-newline",
		Format: FormatAuto,
		File:   goMain,
		Reply:  "*** Begin Patch\n*** Update File: main.go\n@@\n-\tfmt.Println(\"hello\")\n+\tfmt.Println(\"hey\")\n*** End Patch",
		Want:   strings.Replace(goMain, `"hello"`, `"hey"`, 1),
	},
	{
		Name:   "v4a-crlf-reply",
		Format: FormatAuto,
		File:   goMain,
		Reply:  crlf("Done.\n*** Begin Patch\n*** Update File: main.go\n@@ func main() {\n-\tfmt.Println(\"hello\")\n+\tfmt.Println(\"hey\")\n }\n*** End Patch\n"),
		Want:   strings.Replace(goMain, `"hello"`, `"hey"`, 1),
	},
	{
		Name:   "v4a-end-of-file-append",
		Format: FormatAuto,
		File:   "one\ntwo\nend\nthree\nend\n",
		Reply:  "*** Begin Patch\n*** Update File: list.txt\n@@\n end\n+four\n*** End of File\n*** End Patch\n",
		Want:   "one\ntwo\nend\nthree\nend\nfour\n",
	},
	{
		Name:   "v4a-end-of-file-empty-context",
		Format: FormatAuto,
		File:   "one\ntwo\n",
		Reply:  "*** Begin Patch\n*** Update File: list.txt\n@@\n+three\n*** End of File\n*** End Patch\n",
		Want:   "one\ntwo\nthree\n",
	},
	{
		Name:   "v4a-multi-hunk",
		Format: FormatAuto,
		File:   "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n",
		Reply:  "*** Begin Patch\n*** Update File: t.txt\n@@\n a\n-b\n+b2\n c\n@@\n i\n-j\n+j2\n+j3\n k\n*** End Patch\n",
		Want:   "a\nb2\nc\nd\ne\nf\ng\nh\ni\nj2\nj3\nk\n",
	},
	{
		Name:   "v4a-multi-anchor",
		Format: FormatAuto,
		File:   pyTwoClasses,
		Reply: `Return a default from the writer.
*** Begin Patch
*** Update File: io.py
@@ class Writer:
@@     def run(self):
         self.open()
-        return self.value
+        return self.value or 0
*** End Patch
`,
		Want: writerReturns("self.value or 0"),
	},
	{
		Name:   "v4a-anchor-still-ambiguous",
		Format: FormatAuto,
		File:   pyTwoClasses,
		Reply: `*** Begin Patch
*** Update File: io.py
@@ def run(self):
         self.open()
-        return self.value
+        return None
*** End Patch
`,
		WantErr: "ambiguous: 2 matches (lines 3, 8)",
		ErrType: "hunk",
	},
	{
		Name:    "v4a-ambiguous-refused",
		Format:  FormatAuto,
		File:    "x = 1\nprint(x)\ny = 2\nprint(x)\n",
		Reply:   "*** Begin Patch\n*** Update File: a.py\n@@\n-print(x)\n+print(x + 1)\n*** End Patch\n",
		WantErr: "ambiguous: 2 matches (lines 2, 4)",
		ErrType: "hunk",
	},
	{
		Name:    "v4a-context-not-found",
		Format:  FormatAuto,
		File:    goMain,
		Reply:   "*** Begin Patch\n*** Update File: main.go\n@@ func main() {\n func main() {\n-\tfmt.Println(\"goodbye\")\n+\tfmt.Println(\"hi\")\n }\n*** End Patch\n",
		WantErr: "main.go: hunk 1: context not found near line 6",
		ErrType: "hunk",
	},
	{
		Name:   "v4a-shared-context-lines",
		Format: FormatAuto,
		File:   "a\nb\nc\nd\ne\n",
		Reply:  "*** Begin Patch\n*** Update File: t.txt\n@@\n a\n-b\n+B\n c\n@@\n c\n-d\n+D\n e\n*** End Patch\n",
		Want:   "a\nB\nc\nD\ne\n",
	},
	{
		Name:    "v4a-overlap-changed-line-refused",
		Format:  FormatAuto,
		File:    "a\nb\nc\nd\n",
		Reply:   "*** Begin Patch\n*** Update File: t.txt\n@@\n a\n-b\n+B\n c\n@@\n-c\n+C\n d\n*** End Patch\n",
		WantErr: "hunk 2: overlaps hunk 1",
		ErrType: "hunk",
	},
	{
		Name:    "v4a-overlap-refused",
		Format:  FormatAuto,
		File:    "a\nb\nc\nd\n",
		Reply:   "*** Begin Patch\n*** Update File: t.txt\n@@\n b\n-c\n+C\n@@\n a\n-b\n+B\n*** End Patch\n",
		WantErr: "hunk 2: overlaps hunk 1",
		ErrType: "hunk",
	},
	{
		Name:   "v4a-already-applied",
		Format: FormatAuto,
		File:   strings.Replace(goMain, `"hello"`, `"hi"`, 1),
		Reply:  "*** Begin Patch\n*** Update File: main.go\n@@\n func main() {\n-\tfmt.Println(\"hello\")\n+\tfmt.Println(\"hi\")\n }\n*** End Patch\n",
		Want:   strings.Replace(goMain, `"hello"`, `"hi"`, 1),
	},
	{
		Name:   "v4a-trailing-whitespace",
		Format: FormatAuto,
		File:   "if x:  \n    y = 1 \nz = 2\n",
		Reply:  "*** Begin Patch\n*** Update File: a.py\n@@\n if x:\n-    y = 1\n+    y = 2\n z = 2\n*** End Patch\n",
		Want:   "if x:  \n    y = 2\nz = 2\n",
	},
	{
		Name:   "v4a-reindent-spaces-to-tabs",
		Format: FormatAuto,
		File:   "func f() {\n\tif ok {\n\t\treturn\n\t}\n}\n",
		Reply:  "*** Begin Patch\n*** Update File: f.go\n@@\n     if ok {\n-        return\n+        log.Print(\"ok\")\n+        if done {\n+            return\n+        }\n     }\n*** End Patch\n",
		Want:   "func f() {\n\tif ok {\n\t\tlog.Print(\"ok\")\n\t\tif done {\n\t\t\treturn\n\t\t}\n\t}\n}\n",
	},
	{
		Name:   "v4a-reindent-dropped-level",
		Format: FormatAuto,
		File:   "class A:\n    def f(self):\n        x = 1\n        return x\n",
		Reply:  "*** Begin Patch\n*** Update File: a.py\n@@\n def f(self):\n-    x = 1\n+    x = 2\n+    if x:\n+        x += 1\n     return x\n*** End Patch\n",
		Want:   "class A:\n    def f(self):\n        x = 2\n        if x:\n            x += 1\n        return x\n",
	},
	{
		Name:   "v4a-unicode-fold-file-curly",
		Format: FormatAuto,
		File:   "msg = “it’s done” — ok\nnext = 1\n",
		Reply:  "*** Begin Patch\n*** Update File: m.py\n@@\n msg = \"it's done\" - ok\n-next = 1\n+next = 2\n*** End Patch\n",
		Want:   "msg = “it’s done” — ok\nnext = 2\n",
	},
	{
		Name:   "v4a-unicode-fold-reply-curly",
		Format: FormatAuto,
		File:   "title = \"A - B...\"\nx\u00a0= 1\ncount = 0\n",
		Reply:  "*** Begin Patch\n*** Update File: t.py\n@@\n title = “A – B…”\n x = 1\n-count = 0\n+count = 1\n*** End Patch\n",
		Want:   "title = \"A - B...\"\nx\u00a0= 1\ncount = 1\n",
	},
	{
		Name:   "v4a-crlf-file",
		Format: FormatAuto,
		File:   crlf(goMain),
		Reply:  "*** Begin Patch\n*** Update File: main.go\n@@\n func main() {\n-\tfmt.Println(\"hello\")\n+\tfmt.Println(\"a\")\n+\tfmt.Println(\"b\")\n }\n*** End Patch\n",
		Want:   crlf(strings.Replace(goMain, "\tfmt.Println(\"hello\")\n", "\tfmt.Println(\"a\")\n\tfmt.Println(\"b\")\n", 1)),
	},
	{
		Name:   "v4a-bom-file",
		Format: FormatAuto,
		File:   "\ufeffname,age\nann,3\n",
		Reply:  "*** Begin Patch\n*** Update File: people.csv\n@@\n name,age\n-ann,3\n+ann,4\n*** End Patch\n",
		Want:   "\ufeffname,age\nann,4\n",
	},
	{
		Name:   "v4a-file-without-final-newline",
		Format: FormatAuto,
		File:   "a\nb\nlast",
		Reply:  "*** Begin Patch\n*** Update File: t.txt\n@@\n b\n-last\n+final\n+extra\n*** End of File\n*** End Patch\n",
		Want:   "a\nb\nfinal\nextra",
	},
	{
		Name:  "v4a-multi-file",
		Prose: "Both constants are now 2.",
		Files: map[string]string{"a.go": "package a\n\nconst A = 1\n", "b.go": "package b\n\nconst B = 1\n"},
		Reply: fenced(`Both constants are now 2.

'''
*** Begin Patch
*** Update File: a.go
@@
-const A = 1
+const A = 2
*** Update File: b.go
@@
-const B = 1
+const B = 2
*** End Patch
'''
`),
		Wants: map[string]string{"a.go": "package a\n\nconst A = 2\n", "b.go": "package b\n\nconst B = 2\n"},
	},
	{
		Name:  "v4a-add-file",
		Files: map[string]string{"new.txt": ""},
		Reply: "*** Begin Patch\n*** Add File: new.txt\n+hello\n+\n+world\n*** End Patch\n",
		Wants: map[string]string{"new.txt": "hello\n\nworld\n"},
	},
	{
		Name:    "v4a-delete-file",
		File:    "old\n",
		Reply:   "*** Begin Patch\n*** Delete File: old.txt\n*** End Patch\n",
		WantErr: "deletes the file",
		ErrType: "apply",
	},
	{
		Name:   "v4a-context-missing-leading-space",
		Format: FormatV4A,
		File:   "def f():\n    return 1\n",
		Reply:  "*** Begin Patch\n*** Update File: f.py\n@@\ndef f():\n-    return 1\n+    return 2\n*** End Patch\n",
		Want:   "def f():\n    return 2\n",
	},
	{
		Name:   "v4a-hunk-without-at-line",
		Format: FormatAuto,
		File:   "a\nb\n",
		Reply:  "*** Begin Patch\n*** Update File: t.txt\n a\n-b\n+c\n*** End Patch\n",
		Want:   "a\nc\n",
	},
	{
		Name:   "v4a-blank-lines-between-hunks",
		Format: FormatAuto,
		File:   "a\nb\nc\nd\ne\nf\ng\nh\n",
		Reply:  "*** Begin Patch\n*** Update File: t.txt\n\n@@\n a\n-b\n+B\n\n@@\n g\n-h\n+H\n\n*** End Patch\n",
		Want:   "a\nB\nc\nd\ne\nf\ng\nH\n",
	},
	{
		Name:   "v4a-with-unified-file-header",
		Format: FormatAuto,
		File:   "-- setup\nselect 1;\n",
		Reply:  "*** Begin Patch\n*** Update File: q.sql\n--- a/q.sql\n+++ b/q.sql\n@@\n--- setup\n+-- set up\n select 1;\n*** End Patch\n",
		Want:   "-- set up\nselect 1;\n",
	},
	{
		Name:    "v4a-update-without-hunks",
		Format:  FormatAuto,
		File:    "a\n",
		Reply:   "*** Begin Patch\n*** Update File: t.txt\n*** End Patch\n",
		WantErr: `reply line 2: patch for "t.txt" has no hunks`,
		ErrType: "parse",
	},
	{
		Name:    "v4a-line-before-file-header",
		Format:  FormatAuto,
		File:    "a\n",
		Reply:   "*** Begin Patch\n-a\n+b\n*** End Patch\n",
		WantErr: "reply line 2: expected *** Update File",
		ErrType: "parse",
	},
	{
		Name:   "v4a-no-newline-marker",
		Format: FormatAuto,
		File:   "a\nb\n",
		Reply:  "*** Begin Patch\n*** Update File: t.txt\n@@\n a\n-b\n+c\n\\ No newline at end of file\n*** End Patch\n",
		Want:   "a\nc",
	},
	{
		Name:   "v4a-markdown-fence-context",
		Format: FormatAuto,
		File:   "# Build\n\n```sh\nmake\n```\n",
		Reply:  fenced("'''diff\n*** Begin Patch\n*** Update File: README.md\n@@\n '''sh\n-make\n+make all\n '''\n*** End Patch\n'''\n"),
		Want:   "# Build\n\n```sh\nmake all\n```\n",
	},
	{
		Name:   "sr-basic",
		Format: FormatSearchReplace,
		File:   "def greet():\n    print(\"hi\")\n",
		Reply: fenced(`Use a friendlier greeting.

greet.py
'''python
<<<<<<< SEARCH
    print("hi")
=======
    print("hello there")
>>>>>>> REPLACE
'''
`),
		Want: "def greet():\n    print(\"hello there\")\n",
	},
	{
		Name:   "sr-path-in-backticks",
		Prose:  "Here is the change:",
		Format: FormatAuto,
		File:   "a = 1\n",
		Reply:  fenced("Here is the change:\n\n`src/my file.py`\n'''python\n<<<<<<< SEARCH\na = 1\n=======\na = 2\n>>>>>>> REPLACE\n'''\n"),
		Want:   "a = 2\n",
	},
	{
		Name:   "sr-path-in-bold",
		Format: FormatAuto,
		File:   "a = 1\n",
		Reply:  fenced("**src/app.py**\n'''python\n<<<<<<< SEARCH\na = 1\n=======\na = 3\n>>>>>>> REPLACE\n'''\n"),
		Want:   "a = 3\n",
	},
	{
		Name:   "sr-path-with-file-label",
		Format: FormatAuto,
		File:   "a = 1\n",
		Reply:  fenced("File: src/app.py\n'''\n<<<<<<< SEARCH\na = 1\n=======\na = 4\n>>>>>>> REPLACE\n'''\n"),
		Want:   "a = 4\n",
	},
	{
		Name:   "sr-path-inside-fence",
		Prose:  "Changing a.\nDone.",
		Format: FormatAuto,
		File:   "a = 1\n",
		Reply:  fenced("Changing a.\n'''python\nsrc/app.py\n<<<<<<< SEARCH\na = 1\n=======\na = 5\n>>>>>>> REPLACE\n'''\nDone.\n"),
		Want:   "a = 5\n",
	},
	{
		Name:   "sr-path-as-heading",
		Format: FormatAuto,
		File:   "a = 1\n",
		Reply:  fenced("### src/app.py\n\n'''python\n<<<<<<< SEARCH\na = 1\n=======\na = 6\n>>>>>>> REPLACE\n'''\n"),
		Want:   "a = 6\n",
	},
	{
		Name:   "sr-padded-markers",
		Format: FormatAuto,
		File:   "x = 1\ny = 2\n",
		Reply:  "app.py\n<<<<<<<  SEARCH\ny = 2\n=======   \ny = 3\n>>>>>>> REPLACE (y bumped)\n",
		Want:   "x = 1\ny = 3\n",
	},
	{
		Name:   "sr-two-blocks-same-file",
		Format: FormatAuto,
		File:   "a = 1\nb = 2\nc = 3\n",
		Reply:  "app.py\n<<<<<<< SEARCH\na = 1\n=======\na = 10\n>>>>>>> REPLACE\n\napp.py\n<<<<<<< SEARCH\nc = 3\n=======\nc = 30\n>>>>>>> REPLACE\n",
		Want:   "a = 10\nb = 2\nc = 30\n",
	},
	{
		Name:   "sr-second-block-without-path",
		Format: FormatAuto,
		File:   "a = 1\nb = 2\n",
		Reply:  "app.py\n<<<<<<< SEARCH\na = 1\n=======\na = 10\n>>>>>>> REPLACE\n<<<<<<< SEARCH\nb = 2\n=======\nb = 20\n>>>>>>> REPLACE\n",
		Want:   "a = 10\nb = 20\n",
	},
	{
		Name:   "sr-no-path-line",
		Format: FormatSearchReplace,
		File:   "a = 1\n",
		Reply:  "I bumped a.\n\n<<<<<<< SEARCH\na = 1\n=======\na = 2\n>>>>>>> REPLACE\n",
		Want:   "a = 2\n",
	},
	{
		Name:   "sr-empty-search-empty-file",
		Format: FormatAuto,
		File:   "",
		Reply:  fenced("new.py\n'''python\n<<<<<<< SEARCH\n=======\nprint(\"new\")\n>>>>>>> REPLACE\n'''\n"),
		Want:   "print(\"new\")\n",
	},
	{
		Name:   "sr-empty-search-appends",
		Format: FormatAuto,
		File:   "a = 1\n",
		Reply:  "app.py\n<<<<<<< SEARCH\n=======\nprint(\"new\")\n>>>>>>> REPLACE\n",
		Want:   "a = 1\nprint(\"new\")\n",
	},
	{
		Name:   "v4a-insert-without-context-then-edit",
		Format: FormatAuto,
		File:   "alpha\nbeta\ngamma",
		Reply:  "*** Begin Patch\n*** Update File: greek.txt\n@@\n+delta\n@@\n alpha\n-beta\n+BETA\n*** End Patch\n",
		Want:   "alpha\nBETA\ngamma\ndelta",
	},
	{
		Name:    "v4a-insert-without-context-below-anchor",
		Format:  FormatAuto,
		File:    "func a() {\n}\n\nfunc b() {\n}\n",
		Reply:   "*** Begin Patch\n*** Update File: ab.go\n@@ func a() {\n+\tprintln()\n*** End Patch\n",
		WantErr: "hunk has no context lines to locate it below its @@ line",
		ErrType: "hunk",
	},
	{
		Name:    "unified-insert-without-context-mid-file",
		Format:  FormatUnified,
		File:    "one\ntwo\nthree\n",
		Reply:   "--- a/n.txt\n+++ b/n.txt\n@@ -1,0 +2,1 @@\n+one and a half\n",
		WantErr: "n.txt: hunk 1: hunk has no context lines to locate it",
		ErrType: "hunk",
	},
	{
		Name:    "sr-missing-divider",
		Format:  FormatAuto,
		File:    "a = 1\n",
		Reply:   "app.py\n<<<<<<< SEARCH\na = 1\n>>>>>>> REPLACE\n",
		WantErr: "reply line 4: missing ======= between SEARCH and REPLACE",
		ErrType: "parse",
	},
	{
		Name:    "sr-unclosed-block",
		Format:  FormatAuto,
		File:    "a = 1\n",
		Reply:   "app.py\n<<<<<<< SEARCH\na = 1\n=======\na = 2\n",
		WantErr: "reply line 2: search/replace block is not closed",
		ErrType: "parse",
	},
	{
		Name:  "sr-multi-file",
		Files: map[string]string{"a.py": "A = 1\n", "b.py": "B = 1\n"},
		Reply: fenced("a.py\n'''\n<<<<<<< SEARCH\nA = 1\n=======\nA = 2\n>>>>>>> REPLACE\n'''\n\nb.py\n'''\n<<<<<<< SEARCH\nB = 1\n=======\nB = 2\n>>>>>>> REPLACE\n'''\n"),
		Wants: map[string]string{"a.py": "A = 2\n", "b.py": "B = 2\n"},
	},
	{
		Name:   "sr-crlf-reply-lf-file",
		Format: FormatAuto,
		File:   "a = 1\nb = 2\n",
		Reply:  crlf("app.py\n<<<<<<< SEARCH\nb = 2\n=======\nb = 3\n>>>>>>> REPLACE\n"),
		Want:   "a = 1\nb = 3\n",
	},
	{
		Name:   "sr-reindent-tabs-to-spaces",
		Format: FormatAuto,
		File:   "def f():\n    if x:\n        y()\n",
		Reply:  "f.py\n<<<<<<< SEARCH\n\tif x:\n\t\ty()\n=======\n\tif x:\n\t\ty()\n\t\tz()\n>>>>>>> REPLACE\n",
		Want:   "def f():\n    if x:\n        y()\n        z()\n",
	},
	{
		Name:   "sr-already-applied",
		Format: FormatAuto,
		File:   "a = 2\n",
		Reply:  "app.py\n<<<<<<< SEARCH\na = 1\n=======\na = 2\n>>>>>>> REPLACE\n",
		Want:   "a = 2\n",
	},
	{
		Name:   "sr-blank-edge-lines",
		Format: FormatAuto,
		File:   "import os\nx = 1\ny = 2\n",
		Reply:  "app.py\n<<<<<<< SEARCH\n\nx = 1\n\n=======\n\nx = 10\n\n>>>>>>> REPLACE\n",
		Want:   "import os\nx = 10\ny = 2\n",
	},
	{
		Name:   "sr-ellipsis-between-blocks",
		Format: FormatAuto,
		File:   "port = 80\nhost = \"a\"\ndebug = false\n",
		Reply:  fenced("'''\nserver.toml\n<<<<<<< SEARCH\nport = 80\n=======\nport = 8080\n>>>>>>> REPLACE\n\n...\n\n<<<<<<< SEARCH\ndebug = false\n=======\ndebug = true\n>>>>>>> REPLACE\n'''\n"),
		Want:   "port = 8080\nhost = \"a\"\ndebug = true\n",
	},
	{
		Name:   "sr-search-starts-with-blank-line-file-lacks",
		Format: FormatAuto,
		File:   "[server]\nport = 80\nhost = \"a\"\n",
		Reply:  "server.toml\n<<<<<<< SEARCH\n\n[server]\nport = 80\n=======\n[server]\nport = 8080\n>>>>>>> REPLACE\n",
		Want:   "[server]\nport = 8080\nhost = \"a\"\n",
	},
	{
		Name:    "v4a-context-before-start-of-file",
		Format:  FormatAuto,
		File:    "a = 1\nb = 2\n",
		Reply:   "*** Begin Patch\n*** Update File: ab.py\n@@\n import sys\n a = 1\n-b = 2\n+b = 3\n*** End Patch\n",
		WantErr: "ab.py: hunk 1: context starts before the first line of the file",
		ErrType: "hunk",
	},
	{
		Name:   "sr-markdown-file-with-fences",
		Format: FormatAuto,
		File:   "# Usage\n\n```sh\nmake\n```\n",
		Reply:  "README.md\n<<<<<<< SEARCH\n```sh\nmake\n```\n=======\n```sh\nmake test\n```\n>>>>>>> REPLACE\n",
		Want:   "# Usage\n\n```sh\nmake test\n```\n",
	},
	{
		Name:   "v4a-removes-the-marked-copy-of-a-repeated-line",
		Format: FormatAuto,
		File:   "\t}\r\n\t}\n}\n",
		Reply:  "*** Begin Patch\n*** Update File: loop.go\n@@\n-\t}\n \t}\n }\n*** End Patch\n",
		Want:   "\t}\n}\n",
	},
	{
		Name:   "unified-keeps-the-marked-copy-of-a-repeated-line",
		Format: FormatAuto,
		File:   "end\r\nend\n",
		Reply:  "--- a/block.lua\n+++ b/block.lua\n@@ -1,2 +1,1 @@\n-end\n end\n",
		Want:   "end\n",
	},
	{
		Name:   "v4a-blank-edge-context-file-lacks",
		Format: FormatAuto,
		File:   "\tx := 1\r\n\ty := 2\r\n\tx := 1\n",
		Reply:  "*** Begin Patch\n*** Update File: xy.go\n@@\n \n \ty := 2\n-\tx := 1\n \n*** End Patch\n",
		Want:   "\tx := 1\r\n\ty := 2\r\n",
	},
	{
		Name:   "unified-basic",
		Format: FormatAuto,
		File:   goMain,
		Reply: fenced(`'''diff
--- a/main.go
+++ b/main.go
@@ -5,3 +5,3 @@ import "fmt"
 func main() {
-	fmt.Println("hello")
+	fmt.Println("howdy")
 }
'''
`),
		Want: strings.Replace(goMain, `"hello"`, `"howdy"`, 1),
	},
	{
		Name:   "unified-git-headers",
		Format: FormatAuto,
		File:   "a\nb\nc\n",
		Reply:  "diff --git a/t.txt b/t.txt\nindex 1234567..89abcde 100644\n--- a/t.txt\n+++ b/t.txt\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n",
		Want:   "a\nB\nc\n",
	},
	{
		Name:   "unified-wrong-counts",
		Format: FormatUnified,
		File:   "a\nb\nc\nd\n",
		Reply:  "--- t.txt\n+++ t.txt\n@@ -1,2 +1,2 @@\n a\n-b\n+B\n c\n d\n",
		Want:   "a\nB\nc\nd\n",
	},
	{
		Name:   "unified-adds-final-newline",
		Format: FormatUnified,
		File:   "a\nb",
		Reply:  "--- a/t.txt\n+++ b/t.txt\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
		Want:   "a\nb\n",
	},
	{
		Name:   "unified-line-number-breaks-tie",
		Format: FormatUnified,
		File:   "x\ny\nx\ny\n",
		Reply:  "--- a/t.txt\n+++ b/t.txt\n@@ -3,2 +3,2 @@\n x\n-y\n+z\n",
		Want:   "x\ny\nx\nz\n",
	},
	{
		Name:   "unified-removes-dash-dash-line",
		Format: FormatUnified,
		File:   "select 1;\n-- old comment\nselect 2;\n",
		Reply:  "--- a/q.sql\n+++ b/q.sql\n@@ -1,3 +1,3 @@\n select 1;\n--- old comment\n++++ new comment\n select 2;\n",
		Want:   "select 1;\n+++ new comment\nselect 2;\n",
	},
	{
		Name:   "unified-without-file-header",
		Format: FormatUnified,
		File:   "a\nb\n",
		Reply:  "@@ -1,2 +1,2 @@\n a\n-b\n+c\n",
		Want:   "a\nc\n",
	},
	{
		Name:   "unified-dev-null-header-on-edit",
		Format: FormatAuto,
		File:   "retries = 3\ntimeout = 10\n",
		Reply:  fenced("'''diff\n--- /dev/null\n+++ b/limits.conf\n@@ ... @@\n retries = 3\n-timeout = 10\n+timeout = 30\n'''\n"),
		Want:   "retries = 3\ntimeout = 30\n",
	},
	{
		Name:    "unified-dev-null-header-adds",
		Format:  FormatAuto,
		File:    "retries = 3\n",
		Reply:   "--- /dev/null\n+++ b/limits.conf\n@@ ... @@\n+retries = 5\n",
		WantErr: "the patch adds the file but it already exists",
		ErrType: "apply",
	},
	{
		Name:   "whole-basic",
		Prose:  "Here is the whole file.",
		Format: FormatWhole,
		File:   "print(1)\n",
		Reply:  fenced("Here is the whole file.\n\napp.py\n'''python\nprint(2)\nprint(3)\n'''\n"),
		Want:   "print(2)\nprint(3)\n",
	},
	{
		Name:   "whole-auto-detected",
		Format: FormatAuto,
		File:   "print(1)\n",
		Reply:  fenced("`app.py`\n'''python\nprint(\"auto\")\n'''\n"),
		Want:   "print(\"auto\")\n",
	},
	{
		Name:   "whole-files-named-in-prose",
		Format: FormatWhole,
		Named:  []string{"cfg/dev.env", "cfg/prod.env"},
		Files:  map[string]string{"cfg/dev.env": "LEVEL=info\n", "cfg/prod.env": "LEVEL=warn\n"},
		Reply:  fenced("The new `dev.env`, with debug logging:\n\n'''\nLEVEL=debug\n'''\n\nand `cfg/prod.env` (see `LEVEL`):\n'''\nLEVEL=error\n'''\n"),
		Wants:  map[string]string{"cfg/dev.env": "LEVEL=debug\n", "cfg/prod.env": "LEVEL=error\n"},
	},
	{
		Name:   "whole-file-mention-not-named",
		Format: FormatWhole,
		Named:  []string{"a.env", "b.env"},
		Files:  map[string]string{"a.env": "X=1\n", "b.env": "Y=1\n"},
		Reply:  fenced("Here is `a.env`:\n'''\nX=2\n'''\nand here is `c.env`:\n'''\nZ=2\n'''\n"),
		Wants:  map[string]string{"a.env": "X=2\n"},
	},
	{
		Name:   "whole-crlf-bom-file",
		Format: FormatWhole,
		File:   "\ufeffa\r\nb\r\n",
		Reply:  fenced("t.txt\n'''\na\nb\nc\n'''\n"),
		Want:   "\ufeffa\r\nb\r\nc\r\n",
	},
	{
		Name:   "whole-keeps-missing-final-newline",
		Format: FormatWhole,
		File:   "old",
		Reply:  fenced("t.txt\n'''\nnew\n'''\n"),
		Want:   "new",
	},
	{
		Name:    "whole-unclosed-fence",
		Format:  FormatWhole,
		File:    "old\n",
		Reply:   fenced("t.txt\n'''\nnew line one\nnew line tw"),
		WantErr: `reply line 2: code block for "t.txt" is not closed`,
		ErrType: "parse",
	},
	{
		Name:    "whole-mode-reply-is-a-patch",
		Format:  FormatWhole,
		File:    "a\n",
		Reply:   fenced("t.txt\n'''diff\n*** Begin Patch\n*** Update File: t.txt\n@@\n-a\n+b\n*** End Patch\n'''\n"),
		WantErr: `reply line 2: code block for "t.txt" holds a patch, not the whole file`,
		ErrType: "parse",
	},
	{
		Name:    "auto-no-patch",
		Format:  FormatAuto,
		File:    "a\n",
		Reply:   "I could not find anything to change.\n",
		WantErr: "reply: no patch found in the reply",
		ErrType: "parse",
	},
	{
		Name:    "auto-two-fences-not-whole",
		Format:  FormatAuto,
		File:    "a\n",
		Reply:   fenced("app.py\n'''\nprint(1)\n'''\nor\n'''\nprint(2)\n'''\n"),
		WantErr: "no patch found in the reply",
		ErrType: "parse",
	},
}
