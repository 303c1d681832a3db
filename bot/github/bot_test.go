package github

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/internal/fakegithub"
)

func TestAddReaction(t *testing.T) {
	tests := []struct {
		content string
		wantErr error
	}{
		{"+1", nil},
		{"rocket", nil},
		{"thumbsup", ErrInvalid},
		{"", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.content, func(t *testing.T) {
			f, c := setup(t)
			id := f.AddComment(repo.FullName(), 3, "alice", "/rebuild")
			err := c.AddReaction(context.Background(), repo, id, tt.content)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			rs := f.Reactions(repo.FullName(), id)
			if tt.wantErr != nil {
				if len(rs) != 0 {
					t.Errorf("reactions %+v after a refused reaction", rs)
				}
				return
			}
			if len(rs) != 1 || rs[0].Content != tt.content || rs[0].Login != botLogin {
				t.Errorf("reactions %+v", rs)
			}
		})
	}
}

func TestCreateComment(t *testing.T) {
	tests := []struct {
		name, body string
		wantErr    error
		wantLen    int
	}{
		{"short", "only people with write access can /rebuild", nil, -1},
		{"empty", "  \n", ErrInvalid, 0},
		{"huge", strings.Repeat("line of text\n", 10000), nil, MaxCommentChars},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := setup(t)
			id, err := c.CreateComment(context.Background(), repo, 5, tt.body)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			cs := f.Comments(repo.FullName(), 5)
			if tt.wantErr != nil {
				if len(cs) != 0 {
					t.Errorf("comments %+v", cs)
				}
				return
			}
			if len(cs) != 1 || cs[0].ID != id || cs[0].Login != botLogin {
				t.Fatalf("comments %+v, id %d", cs, id)
			}
			if tt.wantLen < 0 && cs[0].Body != tt.body {
				t.Errorf("body %q", cs[0].Body)
			}
			if n := len([]rune(cs[0].Body)); tt.wantLen > 0 && n > tt.wantLen {
				t.Errorf("body of %d characters, want at most %d", n, tt.wantLen)
			}
		})
	}
}

func TestPullRequestEvent(t *testing.T) {
	tests := []struct {
		name     string
		headRepo string
		fork     bool
	}{
		{"same repository", "octo/shop", false},
		{"fork", "mallory/shop", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := setup(t)
			f.SetPull(repo.FullName(), fakegithub.Pull{Number: 9, Title: "t", State: "open", HeadSHA: strings.Repeat("a", 40),
				HeadRef: "feature", HeadRepo: tt.headRepo, BaseSHA: strings.Repeat("b", 40), BaseRef: "main",
				Body: "```changelog\napp: fix: x\n```"})
			f.SetLabels(repo.FullName(), 9, "no-changelog", "size")
			pr, err := c.PullRequestEvent(context.Background(), repo, 9)
			if err != nil {
				t.Fatal(err)
			}
			want := bot.PullRequest{Number: 9, Title: "t", HeadSHA: strings.Repeat("a", 40), HeadRef: "feature",
				HeadRepo: tt.headRepo, BaseSHA: strings.Repeat("b", 40), BaseRef: "main", Fork: tt.fork}
			pr.Author = "" // the fake's example author
			if pr.Number != want.Number || pr.HeadSHA != want.HeadSHA || pr.BaseRef != want.BaseRef || pr.Fork != want.Fork ||
				pr.HeadRepo != want.HeadRepo || pr.HeadRef != want.HeadRef || pr.BaseSHA != want.BaseSHA {
				t.Errorf("got %+v, want %+v", pr, want)
			}
			if !strings.Contains(pr.Body, "app: fix: x") || strings.Join(pr.Labels, ",") != "no-changelog,size" {
				t.Errorf("description %q, labels %q: the changelog gate needs both", pr.Body, pr.Labels)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		_, c := setup(t)
		if _, err := c.PullRequestEvent(context.Background(), repo, 404); err == nil || !isNotFound(errors.Unwrap(err)) && !strings.Contains(err.Error(), "404") {
			t.Errorf("err %v, want a 404", err)
		}
	})
}

func TestGitToken(t *testing.T) {
	_, c := setup(t)
	got, err := c.GitToken(context.Background())
	if err != nil || got != token {
		t.Errorf("GitToken = %q, %v", got, err)
	}
}

// countingTransport counts the attempts that reach the network.
type countingTransport struct {
	mu    sync.Mutex
	paths []string
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.paths = append(c.paths, r.Method+" "+r.URL.Path)
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func TestWithTransport(t *testing.T) {
	tests := []struct {
		name   string
		faults int
		want   int
	}{
		{"one call", 0, 1},
		{"retries are seen", 2, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := &countingTransport{}
			f, c := setup(t, WithTransport(ct))
			f.Fault("issues/create-comment", tt.faults, fakegithub.ServerError)
			if _, err := c.CreateComment(context.Background(), repo, 1, "hello"); err != nil {
				t.Fatal(err)
			}
			if len(ct.paths) != tt.want {
				t.Errorf("transport saw %v, want %d requests", ct.paths, tt.want)
			}
		})
	}
}
