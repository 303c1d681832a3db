package github

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
)

// TestForgeChecks: the port's checks are check runs, each addressed by the
// ID CreateCheck returns; two names on one commit are two runs.
func TestForgeChecks(t *testing.T) {
	f, c := setup(t)
	fg := NewForge(c)
	ctx := context.Background()
	main, err := fg.CreateCheck(ctx, bot.CheckRef{Repo: repo, SHA: "abc", Name: bot.CheckName, PR: 3}, "queued", "")
	if err != nil || main.ID == 0 || main.Name != bot.CheckName || main.PR != 3 {
		t.Fatalf("CreateCheck = %+v, %v", main, err)
	}
	if err := fg.StartCheck(ctx, main); err != nil {
		t.Fatal(err)
	}
	cl, err := fg.CreateCheck(ctx, bot.CheckRef{Repo: repo, SHA: "abc", Name: bot.ChangelogCheckName, PR: 3}, "in_progress", "")
	if err != nil || cl.ID == main.ID {
		t.Fatalf("CreateCheck = %+v, %v: want a run of its own", cl, err)
	}
	if err := fg.CompleteCheck(ctx, cl, bot.ConclusionFailure, bot.CheckOutput{Title: "A changelog entry is missing"}); err != nil {
		t.Fatal(err)
	}
	if err := fg.CompleteCheck(ctx, main, bot.ConclusionSuccess, bot.CheckOutput{Title: "All gates passed"}); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range f.CheckRuns(repo.FullName()) {
		got[r.Name] = r.Status + " " + r.Conclusion
	}
	want := map[string]string{bot.CheckName: "completed success", bot.ChangelogCheckName: "completed failure"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("check runs %v, want %v", got, want)
	}
	for _, call := range []func() error{
		func() error { return fg.StartCheck(ctx, bot.CheckRef{Repo: repo, SHA: "abc", Name: bot.CheckName}) },
		func() error {
			return fg.CompleteCheck(ctx, bot.CheckRef{Repo: repo, SHA: "abc", Name: bot.CheckName}, bot.ConclusionSuccess, bot.CheckOutput{})
		},
	} {
		if err := call(); !errors.Is(err, ErrInvalid) {
			t.Errorf("a check without an ID: %v, want ErrInvalid", err)
		}
	}
}

// TestForgeComments: replies are new comments on the request (GitHub has
// no threads); reactions go on the comment's ID.
func TestForgeComments(t *testing.T) {
	f, c := setup(t)
	fg := NewForge(c)
	ctx := context.Background()
	cmd := f.AddComment(repo.FullName(), 4, "alice", "/help")
	r, err := fg.Reply(ctx, repo, bot.CommentRef{PR: 4, ID: cmd}, "@alice the commands")
	if err != nil || r.ID == 0 || r.PR != 4 {
		t.Fatalf("Reply = %+v, %v", r, err)
	}
	if err := fg.React(ctx, repo, bot.CommentRef{PR: 4, ID: cmd}, "+1"); err != nil {
		t.Fatal(err)
	}
	if got := f.Reactions(repo.FullName(), cmd); len(got) != 1 || got[0].Content != "+1" || got[0].Login != botLogin {
		t.Errorf("reactions %+v, want the bot's +1", got)
	}
	s, wrote, err := fg.UpsertStickyComment(ctx, repo, 4, "", bot.StickyMarker("")+"\nreport", "")
	if err != nil || !wrote || s.ID == 0 || s.PR != 4 {
		t.Fatalf("UpsertStickyComment = %+v, %v, %v", s, wrote, err)
	}
	var bodies []string
	for _, cm := range f.Comments(repo.FullName(), 4) {
		bodies = append(bodies, cm.Body)
	}
	if len(bodies) != 3 || bodies[1] != "@alice the commands" || !strings.HasSuffix(bodies[2], "report") {
		t.Errorf("comments %q", bodies)
	}
}

// TestForgeErrors: the adapter's errors are the bot's sentinels, and its
// rate limit says when to retry.
func TestForgeErrors(t *testing.T) {
	_, c := setup(t)
	_, _, err := NewForge(c).FileContent(context.Background(), repo, ".mpgate.yml", "")
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("missing file: %v, want ErrNotFound and bot.ErrNotFound", err)
	}
	if !errors.Is(fmt.Errorf("x: %w", ErrForbidden), bot.ErrForbidden) {
		t.Error("ErrForbidden is not bot.ErrForbidden")
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name string
		at   time.Time
		want time.Duration
	}{
		{"ahead", now.Add(90 * time.Second), 90 * time.Second},
		{"passed", now.Add(-time.Minute), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rl, ok := errors.AsType[bot.RateLimited](fmt.Errorf("complete: %w", &RateLimitError{RetryAt: tc.at}))
			if !ok {
				t.Fatal("a wrapped RateLimitError is no bot.RateLimited")
			}
			if got := rl.RetryAfter(now); got != tc.want {
				t.Errorf("RetryAfter = %v, want %v", got, tc.want)
			}
		})
	}
}
