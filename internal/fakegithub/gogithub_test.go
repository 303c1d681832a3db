package fakegithub

import (
	"context"
	"net/url"
	"strings"
	"testing"

	gh "github.com/google/go-github/v60/github"
)

// TestGoGitHubExtraEndpoints runs the go-github calls the bot makes (or
// will make) for the extra endpoints: every request must validate, and the
// answers must decode into what was stored.
func TestGoGitHubExtraEndpoints(t *testing.T) {
	f := New(t)
	f.AddToken(tok, "octocat")
	cid := f.AddComment("o/r", 9, "alice", "/mpgate release")
	f.SetRef("o/r", "refs/heads/mpgate/release-v2", sha40)
	client := gh.NewClient(nil).WithAuthToken(tok)
	base, err := url.Parse(f.BaseURL())
	if err != nil {
		t.Fatal(err)
	}
	client.BaseURL = base
	ctx := context.Background()
	var pr *gh.PullRequest
	steps := []struct {
		name string
		run  func() error
	}{
		{"Users.Get", func() error {
			u, _, err := client.Users.Get(ctx, "")
			if err == nil && u.GetLogin() != "octocat" {
				t.Errorf("login %q", u.GetLogin())
			}
			return err
		}},
		{"Reactions.CreateIssueCommentReaction", func() error {
			r, _, err := client.Reactions.CreateIssueCommentReaction(ctx, "o", "r", cid, "rocket")
			if err == nil && r.GetContent() != "rocket" {
				t.Errorf("reaction %q", r.GetContent())
			}
			return err
		}},
		{"Reactions.ListIssueCommentReactions", func() error {
			rs, _, err := client.Reactions.ListIssueCommentReactions(ctx, "o", "r", cid, &gh.ListOptions{PerPage: 100})
			if err == nil && (len(rs) != 1 || rs[0].GetUser().GetLogin() != "octocat") {
				t.Errorf("reactions %v", rs)
			}
			return err
		}},
		{"PullRequests.Create", func() (err error) {
			pr, _, err = client.PullRequests.Create(ctx, "o", "r", &gh.NewPullRequest{Title: gh.String("Release v2"),
				Head: gh.String("mpgate/release-v2"), Base: gh.String("main"), Body: gh.String("notes"), Draft: gh.Bool(false)})
			if err == nil && (pr.GetNumber() != 1 || pr.GetHead().GetSHA() != sha40) {
				t.Errorf("created %d head %s", pr.GetNumber(), pr.GetHead().GetSHA())
			}
			return err
		}},
		{"PullRequests.List by head", func() error {
			list, _, err := client.PullRequests.List(ctx, "o", "r", &gh.PullRequestListOptions{State: "open", Head: "o:mpgate/release-v2", Base: "main"})
			if err == nil && (len(list) != 1 || list[0].GetTitle() != "Release v2") {
				t.Errorf("listed %v", list)
			}
			return err
		}},
		{"PullRequests.Edit", func() error {
			p, _, err := client.PullRequests.Edit(ctx, "o", "r", pr.GetNumber(), &gh.PullRequest{Body: gh.String("more notes")})
			if err == nil && p.GetBody() != "more notes" {
				t.Errorf("body %q", p.GetBody())
			}
			return err
		}},
		{"PullRequests.ListPullRequestsWithCommit", func() error {
			list, _, err := client.PullRequests.ListPullRequestsWithCommit(ctx, "o", "r", sha40, nil)
			if err == nil && len(list) != 1 {
				t.Errorf("listed %v", list)
			}
			return err
		}},
		{"Issues.AddLabelsToIssue", func() error {
			ls, _, err := client.Issues.AddLabelsToIssue(ctx, "o", "r", 1, []string{"release", "mpgate"})
			if err == nil && len(ls) != 2 {
				t.Errorf("labels %v", ls)
			}
			return err
		}},
		{"Issues.ReplaceLabelsForIssue", func() error {
			_, _, err := client.Issues.ReplaceLabelsForIssue(ctx, "o", "r", 1, []string{"release"})
			return err
		}},
		{"Issues.RemoveLabelForIssue", func() error {
			_, err := client.Issues.RemoveLabelForIssue(ctx, "o", "r", 1, "release")
			return err
		}},
		{"Issues.ListLabelsByIssue", func() error {
			ls, _, err := client.Issues.ListLabelsByIssue(ctx, "o", "r", 1, nil)
			if err == nil && len(ls) != 0 {
				t.Errorf("labels %v", ls)
			}
			return err
		}},
		{"Issues.RemoveLabelsForIssue", func() error {
			_, err := client.Issues.RemoveLabelsForIssue(ctx, "o", "r", 1)
			return err
		}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if err := s.run(); err != nil {
				t.Fatal(err)
			}
		})
	}
	if e := f.Errors(); len(e) != 0 {
		t.Errorf("invalid requests:\n%s", strings.Join(e, "\n"))
	}
	if rs := f.Reactions("o/r", cid); len(rs) != 1 {
		t.Errorf("reactions %+v", rs)
	}
}
