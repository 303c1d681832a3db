package github

import (
	"context"
	"testing"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/internal/fakegithub"
)

// CreateCheckRun never leaves a second check run beside the first: a run
// GitHub created before answering 502 (or before the answer was lost), or
// one a crashed job created, is found by name and head and returned.
func TestCreateCheckRunIdempotent(t *testing.T) {
	const head = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name  string
		setup func(t *testing.T, f *fakegithub.Fake, c *Client)
		// runs: check runs on the head afterwards; posts: POSTs sent.
		runs, posts int
		// reused: the id returned is the run that existed before.
		reused bool
	}{
		{"502 after GitHub created the run", func(t *testing.T, f *fakegithub.Fake, c *Client) {
			f.Fault("checks/create", 1, fakegithub.ServerErrorAfter)
		}, 1, 1, false},
		{"answer lost after GitHub created the run", func(t *testing.T, f *fakegithub.Fake, c *Client) {
			f.Fault("checks/create", 1, fakegithub.DropAfter)
		}, 1, 1, false},
		{"502 before anything was created", func(t *testing.T, f *fakegithub.Fake, c *Client) {
			f.Fault("checks/create", 1, fakegithub.ServerError)
		}, 1, 2, false},
		{"connection dropped before anything was created", func(t *testing.T, f *fakegithub.Fake, c *Client) {
			f.Fault("checks/create", 1, fakegithub.DropConnection)
		}, 1, 2, false},
		{"a queued run from a crashed job", func(t *testing.T, f *fakegithub.Fake, c *Client) {
			create(t, c, head, "queued")
		}, 1, 1, true},
		{"an in-progress run from a crashed job", func(t *testing.T, f *fakegithub.Fake, c *Client) {
			create(t, c, head, "in_progress")
		}, 1, 1, true},
		// True variants: a completed run (a re-run of the head) or a run
		// of another name or head is no reason not to create one.
		{"a completed run is not reused", func(t *testing.T, f *fakegithub.Fake, c *Client) {
			id := create(t, c, head, "queued")
			if err := c.CompleteCheckRun(context.Background(), repo, id, bot.ConclusionSuccess, bot.CheckOutput{Title: "t", Summary: "s"}); err != nil {
				t.Fatal(err)
			}
		}, 2, 2, false},
		{"another name is not reused", func(t *testing.T, f *fakegithub.Fake, c *Client) {
			if _, err := c.CreateCheckRun(context.Background(), repo, head, "mpgate/changelog", "queued", ""); err != nil {
				t.Fatal(err)
			}
		}, 2, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := setup(t)
			tt.setup(t, f, c)
			before := f.CheckRuns(repo.FullName())
			id, err := c.CreateCheckRun(context.Background(), repo, head, "mpgate", "queued", "")
			if err != nil {
				t.Fatal(err)
			}
			runs := f.CheckRuns(repo.FullName())
			if len(runs) != tt.runs || f.Count("checks/create") != tt.posts {
				t.Fatalf("%d check runs after %d POSTs, want %d after %d", len(runs), f.Count("checks/create"), tt.runs, tt.posts)
			}
			found := false
			for _, r := range runs {
				found = found || (r.ID == id && r.Name == "mpgate" && r.HeadSHA == head)
			}
			if !found {
				t.Errorf("returned id %d is not a check run called mpgate on the head: %+v", id, runs)
			}
			if reused := len(before) > 0 && before[0].ID == id; reused != tt.reused {
				t.Errorf("reused the existing run = %v, want %v", reused, tt.reused)
			}
		})
	}
}

func create(t *testing.T, c *Client, head, status string) int64 {
	t.Helper()
	id, err := c.CreateCheckRun(context.Background(), repo, head, "mpgate", status, "")
	if err != nil {
		t.Fatal(err)
	}
	return id
}
