package worker

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/internal/gittest"
)

// gitRepo makes a repository with a payment module released nowhere yet:
// main has a feature, the branch changes adds another.
func gitRepo(t *testing.T) (dir, head string) {
	t.Helper()
	r := gittest.New(t, gittest.At(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)))
	ids := r.Commits(
		gittest.Commit{Message: "chore: start", Files: gittest.Files{
			".mpgate.yml": releaseConfig, "mp/app.js": "App({})\n", "mp/packagePay/pay.js": "Page({})\n"}},
		gittest.Commit{Message: "feat(payment): pay with stored cards (#1)", Files: gittest.Files{"mp/packagePay/pay.js": "Page({ data: {} })\n"}},
		gittest.Commit{Branch: "changes", Message: "wip", Files: gittest.Files{"mp/packagePay/refund.js": "Page({})\n"}},
	)
	r.Checkout("main")
	return r.Dir, ids[2]
}

const releaseConfig = "projects:\n  - name: shop\n    root: mp\nmodules:\n  - {name: payment, paths: [\"mp/packagePay/**\"]}\n  - {name: app, paths: [\"mp/**\"]}\n"

func TestReleaseCommands(t *testing.T) {
	dir, head := gitRepo(t)
	tests := []struct {
		name      string
		body      string
		perm      string
		config    string
		title     string
		labels    []string
		want      []string
		wantNot   []string
		wantReact bool
	}{
		{"changelog preview from the title", "/changelog", "write", releaseConfig, "fix(payment): refunds", nil,
			[]string{"@alice changelog preview of " + shortSHA(head), "#### payment", "refunds"}, []string{"#### app"}, true},
		{"changelog of a request without an entry", "/changelog", "write", releaseConfig, "wip", nil,
			[]string{"adds no changelog entries"}, nil, true},
		{"changelog of a request labelled no-changelog", "/changelog", "admin", releaseConfig, "fix(payment): refunds", []string{"no-changelog"},
			[]string{"adds no changelog entries"}, nil, true},
		{"release plan of the base", "/release", "maintain", releaseConfig, "chore(release): payment@v0.1.0", nil,
			[]string{"release plan of `main`", "payment@v0.1.0", "pay with stored cards", "`mpgate release apply`", "\"Commands\""}, []string{"refunds"}, true},
		{"release plan where the bot releases", "/release", "write", releaseConfig + "release: {bot: true}\n", "x", nil,
			[]string{"payment@v0.1.0", "the bot updates the release request", "\"Releasing from the bot\""}, []string{"`mpgate release apply`"}, true},
		{"an invalid config is said", "/changelog", "write", "projects: [", "fix: x", nil,
			[]string{"needs a valid `.mpgate.yml`"}, nil, true},
		{"a reader is refused politely", "/release", "read", releaseConfig, "x", nil,
			[]string{"only people with write access", "`/release`"}, []string{"release plan"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeForge()
			f.perms["alice"] = tt.perm
			f.config = tt.config
			f.pr = bot.PullRequest{Number: 12, HeadSHA: head, BaseRef: "main", Title: tt.title, Labels: tt.labels}
			b, _, q := newTestBot(t, f, true)
			ev := bot.Event{Forge: bot.ForgeGitHub, Kind: bot.KindComment, Repo: testRepo, InstallationID: 1, CloneURL: dir, DefaultBranch: "main",
				PullRequest: &bot.PullRequest{Number: 12}, Comment: &bot.Comment{ID: 31, Body: tt.body, Author: "alice"}}
			if err := b.HandleEvent(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
			if len(f.comments) != 1 {
				t.Fatalf("replies %q, want one", f.comments)
			}
			for _, w := range tt.want {
				if !strings.Contains(f.comments[0], w) {
					t.Errorf("reply lacks %q:\n%s", w, f.comments[0])
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(f.comments[0], w) {
					t.Errorf("reply has %q:\n%s", w, f.comments[0])
				}
			}
			if got := len(f.reactions) == 1; got != tt.wantReact {
				t.Errorf("reactions %v, want one %v", f.reactions, tt.wantReact)
			}
			if len(q.evals) != 0 || len(f.created) != 0 {
				t.Errorf("a release command evaluated: %v %v", q.evals, f.created)
			}
			left, _ := os.ReadDir(filepath.Join(b.cfg.DataDir, "worktrees"))
			if len(left) != 0 {
				t.Errorf("worktrees left: %v", left)
			}
		})
	}
}
