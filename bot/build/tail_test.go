package build

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTailText(t *testing.T) {
	many := func(n int) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			b.WriteString("l")
			b.WriteString(strings.Repeat("x", i%3))
			b.WriteString("\n")
		}
		return b.String()
	}
	tests := []struct {
		name string
		in   string
		cut  bool
		n    int
		want string
	}{
		{name: "empty", in: "", n: 5, want: ""},
		{name: "last n", in: "a\nb\nc\nd\n", n: 2, want: "c\nd"},
		{name: "no final newline", in: "a\nb", n: 5, want: "a\nb"},
		{name: "CRLF", in: "a\r\nb\r\n", n: 5, want: "a\nb"},
		{name: "progress bar", in: "10%\r50%\r100%\ndone\n", n: 5, want: "100%\ndone"},
		{name: "colours", in: "\x1b[31merror\x1b[0m: \x1b[1mbad\x1b[22m\n", n: 5, want: "error: bad"},
		{name: "OSC hyperlink", in: "see \x1b]8;;https://x\x07link\x1b]8;;\x1b\\ here\n", n: 5, want: "see link here"},
		{name: "other controls", in: "a\x00b\x07c\td\x7f\n", n: 5, want: "abc\td"},
		{name: "invalid UTF-8", in: "a\xffb\n", n: 5, want: "a\uFFFDb"},
		{name: "cut first line dropped", in: "tial line\nwhole\n", cut: true, n: 5, want: "whole"},
		{name: "trailing blank lines", in: "x\n\n  \n", n: 5, want: "x"},
		{name: "long line cut", in: strings.Repeat("é", 400) + "\n", n: 5, want: strings.Repeat("é", maxTailLine/2) + "…"},
		{name: "50 of 100", in: many(100), n: TailLines, want: strings.TrimSuffix(many(100)[len(many(50)):], "\n")},
		{name: "escape at the end", in: "ok\x1b", n: 5, want: "ok"},
		{name: "unterminated CSI", in: "ok\x1b[31", n: 5, want: "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tailText([]byte(tt.in), tt.cut, tt.n); got != tt.want {
				t.Errorf("tailText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTailBufferKeepsTheEnd(t *testing.T) {
	var tb tailBuffer
	for i := 0; i < 10000; i++ {
		_, _ = tb.Write([]byte("line number " + strings.Repeat("z", i%50) + "\n"))
	}
	_, _ = tb.Write([]byte("the end\n"))
	if len(tb.buf) > 2*tailBytes {
		t.Errorf("buffer grew to %d bytes", len(tb.buf))
	}
	got := tb.lines(3)
	if !strings.HasSuffix(got, "\nthe end") || strings.Count(got, "\n") != 2 {
		t.Errorf("lines(3) = %q", got)
	}
	var big tailBuffer
	_, _ = big.Write(bytes.Repeat([]byte("y"), 3*tailBytes))
	if len(big.buf) != tailBytes || !big.truncated {
		t.Errorf("one huge write kept %d bytes (truncated %v)", len(big.buf), big.truncated)
	}
}

func FuzzTailText(f *testing.F) {
	f.Add([]byte("a\r\nb\x1b[31mc\x1b[0m\rd\n"), false, 3)
	f.Add([]byte("\x1b]8;;u\x1b\\x\xff\n\n"), true, 40)
	f.Fuzz(func(t *testing.T, in []byte, cut bool, n int) {
		if n > 1000 {
			n = 1000
		}
		got := tailText(in, cut, n)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 %q", got)
		}
		if strings.ContainsRune(got, 0x1b) || strings.ContainsRune(got, '\r') {
			t.Fatalf("escape or CR left in %q", got)
		}
		if n <= 0 && got != "" {
			t.Fatalf("n=%d gave %q", n, got)
		}
		if n > 0 && strings.Count(got, "\n") >= n {
			t.Fatalf("more than %d lines: %q", n, got)
		}
	})
}

func TestParseStat(t *testing.T) {
	tests := []struct {
		in    string
		state byte
		pgrp  int
		ok    bool
	}{
		{"123 (sleep) S 1 120 120 0", 'S', 120, true},
		{"124 (a) b) c) Z 1 7 7", 'Z', 7, true},
		{"125 (x", 0, 0, false},
		{"126 (x) S 1", 0, 0, false},
		{"127 (x) S 1 nope", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			st, g, ok := parseStat([]byte(tt.in))
			if st != tt.state || g != tt.pgrp || ok != tt.ok {
				t.Errorf("parseStat = %c %d %v, want %c %d %v", st, g, ok, tt.state, tt.pgrp, tt.ok)
			}
		})
	}
}

func TestEnviron(t *testing.T) {
	parent := []string{
		"PATH=/bin", "HOME=/home/u", "LC_CTYPE=C.UTF-8", "GITHUB_TOKEN=x", "GITHUB_SHA=abc",
		"NPM_TOKEN=x", "MY_API_KEY=x", "DATABASE_PASSWORD=x", "OTHER=1", "ACTIONS_RUNTIME_URL=x",
		"CI_JOB_JWT=x", "CI=true", "NODE_ENV=production", "malformed", "=novalue",
	}
	tests := []struct {
		name        string
		extra       []string
		want        string // sorted env joined by " "
		wantDropped string
		wantErr     bool
	}{
		{name: "allow-list only", want: "CI=true HOME=/home/u LC_CTYPE=C.UTF-8 PATH=/bin"},
		{name: "set and override", extra: []string{"NODE_ENV=development", "HOME=/job"}, want: "CI=true HOME=/job LC_CTYPE=C.UTF-8 NODE_ENV=development PATH=/bin"},
		{name: "pass by name", extra: []string{"OTHER", "MISSING"}, want: "CI=true HOME=/home/u LC_CTYPE=C.UTF-8 OTHER=1 PATH=/bin"},
		{name: "secrets never", extra: []string{"GITHUB_SHA", "NPM_TOKEN", "SENTRY_AUTH=1", "mpgate_secret=1"}, want: "CI=true HOME=/home/u LC_CTYPE=C.UTF-8 PATH=/bin", wantDropped: "GITHUB_SHA NPM_TOKEN SENTRY_AUTH mpgate_secret"},
		{name: "empty value", extra: []string{"EMPTY="}, want: "CI=true EMPTY= HOME=/home/u LC_CTYPE=C.UTF-8 PATH=/bin"},
		{name: "bad name", extra: []string{"A B=1"}, wantErr: true},
		{name: "NUL in value", extra: []string{"A=\x00"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, dropped, err := Environ(parent, tt.extra)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if tt.wantErr {
				return
			}
			if got := strings.Join(env, " "); got != tt.want {
				t.Errorf("env = %q\nwant  %q", got, tt.want)
			}
			if got := strings.Join(dropped, " "); got != tt.wantDropped {
				t.Errorf("dropped = %q, want %q", got, tt.wantDropped)
			}
		})
	}
}

func TestSecretNames(t *testing.T) {
	for _, tt := range []struct {
		name   string
		secret bool
	}{
		{"GITHUB_TOKEN", true}, {"github_token", true}, {"GITLAB_CI", true}, {"CI_JOB_TOKEN", true},
		{"ACTIONS_ID_TOKEN_REQUEST_URL", true}, {"MPGATE_DB", true}, {"AWS_SECRET_ACCESS_KEY", true},
		{"SSH_PRIVATE_KEY", true}, {"DB_PASSWORD", true}, {"npm_config__authToken", true},
		{"PATH", false}, {"HOME", false}, {"LC_ALL", false}, {"CI", false}, {"NODE_OPTIONS", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsSecretName(tt.name); got != tt.secret {
				t.Errorf("IsSecretName(%s) = %v", tt.name, got)
			}
		})
	}
}

// docs/builds.md lists every allowed and every secret pattern; keep them in
// step with the code.
func TestDocsListTheEnvironment(t *testing.T) {
	data, err := os.ReadFile("../../docs/builds.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	var names []string
	for k := range allowedEnv {
		if strings.ToLower(k) == k && strings.HasSuffix(k, "_proxy") {
			continue // "and their lower-case forms"
		}
		names = append(names, k)
	}
	for _, p := range allowedPrefixes {
		names = append(names, p+"*")
	}
	names = append(names, secretParts...)
	names = append(names, secretPrefixes...)
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			if !strings.Contains(doc, "`"+n+"`") {
				t.Errorf("docs/builds.md does not list `%s`", n)
			}
		})
	}
	if !strings.Contains(doc, "lower-case forms") {
		t.Error("docs/builds.md does not mention the lower-case proxy variables")
	}
}
