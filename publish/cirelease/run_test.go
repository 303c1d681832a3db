package cirelease

import (
	"errors"
	"flag"
	"testing"
)

func TestRefuseFlags(t *testing.T) {
	tests := []struct {
		sub  string
		args []string
		want string // "" = accepted
	}{
		{"plan", []string{"--format", "json", "--date", "2026-01-02"}, ""},
		{"plan", []string{"--push", "--base", "main"}, "release plan does not take --base, --push (see 'mpgate release -h')"},
		{"apply", []string{"--push", "--remote", "up"}, ""},
		{"apply", []string{"--format", "json"}, "release apply does not take --format (see 'mpgate release -h')"},
		{"check", []string{"--base", "main", "--labels", "a,b"}, ""},
		{"preview", []string{"--date", "2026-01-02"}, "release preview does not take --date (see 'mpgate release -h')"},
	}
	for _, tt := range tests {
		t.Run(tt.sub, func(t *testing.T) {
			fs := flag.NewFlagSet("release", flag.ContinueOnError)
			for _, n := range []string{"format", "date", "remote", "base", "labels"} {
				fs.String(n, "", "")
			}
			fs.Bool("push", false, "")
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			err := RefuseFlags(tt.sub, fs)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("RefuseFlags(%s, %q) = %v, want nil", tt.sub, tt.args, err)
			case tt.want != "" && (err == nil || err.Error() != tt.want || !errors.Is(err, ErrUsage)):
				t.Errorf("RefuseFlags(%s, %q) = %v, want ErrUsage %q", tt.sub, tt.args, err, tt.want)
			}
		})
	}
}

func TestRefusedKeepsCause(t *testing.T) {
	cause := errors.New("boom")
	err := refused("release plan", cause)
	if !errors.Is(err, ErrUsage) || !errors.Is(err, cause) || err.Error() != "release plan: boom" {
		t.Errorf("refused = %q (usage %v, cause %v), want ErrUsage wrapping the cause", err, errors.Is(err, ErrUsage), errors.Is(err, cause))
	}
}
