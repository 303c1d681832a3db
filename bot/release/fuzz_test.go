package release

import (
	"strings"
	"testing"
)

func FuzzParseCommit(f *testing.F) {
	for _, s := range []string{"feat(payment): stored cards", "fix!: x\n\nBREAKING CHANGE: y", "chore(a)(b): c", "feat(: x", "x: ", "", "feat(a)!:  b \r\n\r\nBREAKING-CHANGE: z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		c, err := ParseCommit(msg)
		if err != nil {
			return
		}
		if c.Type == "" || c.Description == "" || strings.ContainsAny(c.Scope, "()") {
			t.Fatalf("accepted %q as %+v", msg, c)
		}
		if c.Type != strings.ToLower(c.Type) {
			t.Fatalf("type %q not lower-cased", c.Type)
		}
		sec, bump, ok := c.Classify()
		if ok != (bump != BumpNone) || (c.Breaking && (sec != Breaking || bump != BumpMajor)) {
			t.Fatalf("Classify(%+v) = %q %v %v", c, sec, bump, ok)
		}
		// The header alone parses to the same header fields.
		head, _, _ := strings.Cut(strings.TrimLeft(msg, "\r\n"), "\n")
		h, err := ParseCommit(head)
		if err != nil || h.Type != c.Type || h.Scope != c.Scope || h.Description != c.Description {
			t.Fatalf("header %q parses to %+v, %v; whole message to %+v", head, h, err, c)
		}
	})
}

func FuzzParseBlock(f *testing.F) {
	for _, s := range []string{"```changelog\npayment: fix: rounding\n```", "~~~ changelog\n- app: feat!: x\n~~~~\n", "````\n```changelog\na: fix: b\n````", "```changelog\n:\n::\na:b:c\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, desc string) {
		lines, errs, found := ParseBlock(desc)
		if !found && (len(lines) > 0 || len(errs) > 0) {
			t.Fatalf("entries without a block: %+v %+v", lines, errs)
		}
		n := strings.Count(desc, "\n") + 1
		for _, l := range lines {
			if l.Module == "" || strings.ContainsAny(l.Module, " \t:") || l.Line < 1 || l.Line > n {
				t.Fatalf("bad line %+v", l)
			}
			if _, err := ParseCommit(l.Commit.Type + ": x"); err != nil {
				t.Fatalf("type %q of %+v does not parse back", l.Commit.Type, l)
			}
		}
		for _, e := range errs {
			if e.Line < 1 || e.Line > n || e.Error() == "" {
				t.Fatalf("bad error %+v", e)
			}
		}
	})
}

func FuzzParseChangeFile(f *testing.F) {
	for _, s := range []string{"---\npayment: minor\n---\nCards.\n", "---\n---\n", "---\na: [x]\n---\ny", "---\n&a x: *a\n---\nz", "---\na: patch\n---"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		cf, err := ParseChangeFile(".changes/f.md", []byte(src))
		if err != nil {
			return
		}
		for _, b := range cf.Bumps {
			if b.Module == "" || b.Bump == BumpNone {
				t.Fatalf("bad bump %+v from %q", b, src)
			}
		}
		if len(cf.Bumps) > 0 && cf.Summary == "" {
			t.Fatalf("no summary from %q", src)
		}
	})
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"1.2.3", "1.2.3-rc.1+b", "0.0.0-0", "1.0.0-a.b.c.0.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err != nil {
			return
		}
		if v.String() != s {
			t.Fatalf("%q round-trips to %q", s, v)
		}
		if v.Compare(v) != 0 {
			t.Fatalf("%q not equal to itself", s)
		}
		for _, b := range []Bump{BumpPatch, BumpMinor, BumpMajor} {
			if n := v.Next(b); n.Compare(v) <= 0 {
				t.Fatalf("Next(%v) of %s = %s is not greater", b, v, n)
			}
		}
	})
}

func FuzzInsertSection(f *testing.F) {
	f.Add("# Changelog\n\n## [1.0.0] - 2026-01-01\n\n- x\n")
	f.Add("```\n## [1.1.0]\n")
	f.Fuzz(func(t *testing.T, old string) {
		v := Version{Major: 1, Minor: 1}
		sec := "## [1.1.0] - 2026-11-21\n\n### Fixed\n\n- y\n"
		out, err := InsertSection(old, sec, v)
		if err != nil {
			return
		}
		titled := false
		for l := range strings.SplitSeq(out, "\n") {
			titled = titled || strings.HasPrefix(strings.TrimSpace(l), "# ")
		}
		if !strings.Contains(out, sec) || !titled {
			t.Fatalf("InsertSection(%q) = %q", old, out)
		}
		if top, notes, ok := TopSection(out, "m", nil); !ok || top.Compare(v) != 0 || notes != "### Fixed\n\n- y\n" {
			t.Fatalf("TopSection(InsertSection(%q)) = %v %q %v", old, top, notes, ok)
		}
		if _, err := InsertSection(out, sec, v); err == nil {
			t.Fatalf("inserting twice into %q succeeded", old)
		}
	})
}

func FuzzRecordedHead(f *testing.F) {
	f.Add("chore(release): x\n\nRelease-Head: " + strings.Repeat("a", 40) + "\n")
	f.Add("Release-Head:\n\x00Release-Head: " + strings.Repeat("0", 64))
	f.Fuzz(func(t *testing.T, msg string) {
		got := recordedHead(msg)
		if got != "" && !isSHA(got) {
			t.Fatalf("recordedHead(%q) = %q, not a sha", msg, got)
		}
		sha := strings.Repeat("c", 40)
		if got := recordedHead(msg + "\nRelease-Head: " + sha + "\n"); got != sha {
			t.Fatalf("a last Release-Head line after %q gives %q, want %s", msg, got, sha)
		}
	})
}
