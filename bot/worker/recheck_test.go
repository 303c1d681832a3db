package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
)

// reportStore is a fakeStore with stored reports and latest heads.
type reportStore struct {
	*fakeStore
	reports map[string][]byte // sha/project
	heads   map[int]string
}

func (s *reportStore) Report(_ context.Context, _ bot.Repo, sha, project string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.reports[sha+"/"+project]
	return r, ok, nil
}

func (s *reportStore) PutReport(_ context.Context, _ bot.Repo, sha, project string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reports == nil {
		s.reports = map[string][]byte{}
	}
	s.reports[sha+"/"+project] = data
	return nil
}

func (s *reportStore) LatestHead(_ context.Context, _ bot.Repo, number int) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.heads[number]
	return h, ok, nil
}

// payloadQueue records the evaluations' payloads and forgets requests.
type payloadQueue struct {
	mu        sync.Mutex
	payloads  []evalJob
	forgotten []int
	heads     map[int]string // shared with reportStore
}

func (q *payloadQueue) EnqueueEvaluation(_ context.Context, _ bot.Repo, number int, sha string, payload []byte) (bool, error) {
	var j evalJob
	if err := json.Unmarshal(payload, &j); err != nil {
		return false, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.payloads = append(q.payloads, j)
	q.heads[number] = sha
	return false, nil
}

func (q *payloadQueue) ForgetEvaluation(_ context.Context, _ bot.Repo, number int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.forgotten = append(q.forgotten, number)
	delete(q.heads, number)
	return nil
}

const twoProjects = "projects:\n  - name: shop\n    root: dist\n  - name: admin\n    root: admin\n"

func newRecheckBot(t *testing.T, f *fakeForge, reports map[string][]byte) (*Worker, *reportStore, *payloadQueue) {
	t.Helper()
	heads := map[int]string{}
	st := &reportStore{fakeStore: newFakeStore(), reports: reports, heads: heads}
	q := &payloadQueue{heads: heads}
	b, err := New(Config{
		Installations: InstallationsFunc(func(context.Context, string, int64) (Forge, error) { return f, nil }),
		Queue:         q, Store: st, DataDir: t.TempDir(), BotLogin: "mpgate[bot]", Sandbox: nopWrapper{},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b, st, q
}

func TestRecheckUsesStoredHeadReports(t *testing.T) {
	head := strings.Repeat("d", 40)
	report := []byte(`{"schema":"mpgate.report/v1"}`)
	tests := []struct {
		name        string
		body        string
		reports     map[string][]byte
		wantRecheck bool
		wantReply   string
	}{
		{"every project stored", "/recheck", map[string][]byte{head + "/shop": report, head + "/admin": report}, true, ""},
		{"nothing stored: rebuild, said", "/recheck", nil, false, "no stored reports of dddddddddddd"},
		{"one project stored: the other is built", "/recheck", map[string][]byte{head + "/shop": report}, true, "1 of 2 projects have no stored report"},
		{"an unreadable report counts as missing", "/recheck", map[string][]byte{head + "/shop": []byte("{"), head + "/admin": report}, true, "1 of 2 projects"},
		{"another head's reports do not count", "/recheck", map[string][]byte{strings.Repeat("e", 40) + "/shop": report}, false, "from scratch"},
		{"rebuild wins over recheck", "/recheck\n/rebuild", map[string][]byte{head + "/shop": report, head + "/admin": report}, false, ""},
		{"approve-size re-gates the stored reports silently", "/approve-size icons", map[string][]byte{head + "/shop": report, head + "/admin": report}, true, ""},
		{"approve-size without stored reports builds silently", "/approve-size icons", nil, false, ""},
		{"ok-to-build always builds", "/ok-to-build", map[string][]byte{head + "/shop": report, head + "/admin": report}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeForge()
			f.perms["alice"] = "write"
			f.config = twoProjects
			f.pr = bot.PullRequest{Number: 8, HeadSHA: head, BaseRef: "main"}
			b, _, q := newRecheckBot(t, f, tt.reports)
			ev := bot.Event{Forge: bot.ForgeGitHub, Kind: bot.KindComment, Repo: testRepo, InstallationID: 1,
				PullRequest: &bot.PullRequest{Number: 8}, Comment: &bot.Comment{ID: 9, Body: tt.body, Author: "alice"}}
			if err := b.HandleEvent(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
			if len(q.payloads) != 1 {
				t.Fatalf("evaluations %+v, want one", q.payloads)
			}
			if got := q.payloads[0].Recheck; got != tt.wantRecheck {
				t.Errorf("recheck %v, want %v", got, tt.wantRecheck)
			}
			if got, want := q.payloads[0].Rebuild, strings.Contains(tt.body, "/rebuild"); got != want {
				t.Errorf("rebuild %v, want %v", got, want)
			}
			if tt.wantReply == "" && len(f.comments) != 0 {
				t.Errorf("replied %q", f.comments)
			}
			if tt.wantReply != "" && (len(f.comments) != 1 || !strings.Contains(f.comments[0], tt.wantReply) || !strings.HasPrefix(f.comments[0], "@alice ")) {
				t.Errorf("replies %q, want one to @alice with %q", f.comments, tt.wantReply)
			}
		})
	}
}

func TestClosedPullRequest(t *testing.T) {
	head, older := strings.Repeat("a", 40), strings.Repeat("b", 40)
	tests := []struct {
		name       string
		latest     string // the queue's latest head, "" = none
		runs       []bot.CheckRecord
		wantForget bool
		wantClosed []int64
	}{
		{"pending evaluation: forgotten, run concluded", head,
			[]bot.CheckRecord{{Repo: testRepo, SHA: head, Name: bot.CheckName, RunID: 7, PR: 3}}, true, []int64{7}},
		{"the queue knows a newer head than the delivery", older,
			[]bot.CheckRecord{{Repo: testRepo, SHA: older, Name: bot.CheckName, RunID: 8, PR: 3}}, true, []int64{8}},
		{"completed runs are left alone", head,
			[]bot.CheckRecord{{Repo: testRepo, SHA: head, Name: bot.CheckName, RunID: 7, PR: 3, Completed: true}}, true, nil},
		{"another request's run on the same commit is left alone", head,
			[]bot.CheckRecord{{Repo: testRepo, SHA: head, Name: bot.CheckName, RunID: 7, PR: 4}}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeForge()
			b, st, q := newRecheckBot(t, f, nil)
			if tt.latest != "" {
				st.heads[3] = tt.latest
			}
			st.runs = tt.runs
			wt := filepath.Join(b.cfg.DataDir, "worktrees")
			for _, d := range []string{shortSHA(tt.latest) + "-12", shortSHA(head) + "-13", "cccccccccccc-14"} {
				if err := os.MkdirAll(filepath.Join(wt, d, "dist"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			ev := bot.Event{Forge: bot.ForgeGitHub, Kind: bot.KindPullRequestClosed, Repo: testRepo, InstallationID: 1,
				PullRequest: &bot.PullRequest{Number: 3, HeadSHA: head}}
			if err := b.HandleEvent(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
			if got := len(q.forgotten) == 1 && q.forgotten[0] == 3; got != tt.wantForget {
				t.Errorf("forgotten %v, want #3 forgotten %v", q.forgotten, tt.wantForget)
			}
			if len(f.completed) != len(tt.wantClosed) {
				t.Errorf("completed %v, want %v", f.completed, tt.wantClosed)
			}
			for _, id := range tt.wantClosed {
				if f.completed[id] != bot.ConclusionNeutral || f.titles[id] != "Closed" {
					t.Errorf("run %d: %q %q, want neutral Closed", id, f.completed[id], f.titles[id])
				}
			}
			left, _ := os.ReadDir(wt)
			if len(left) != 1 || left[0].Name() != "cccccccccccc-14" {
				t.Errorf("worktrees left %v, want only another head's", left)
			}
		})
	}
}

func TestCancelledEvaluationOfClosedRequestSaysClosed(t *testing.T) {
	tests := []struct {
		name      string
		latest    string
		wantTitle string
	}{
		{"closed: no latest head", "", "Closed"},
		{"a newer head", strings.Repeat("f", 40), "Superseded by a newer commit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeForge()
			b, st, _ := newRecheckBot(t, f, nil)
			if tt.latest != "" {
				st.heads[2] = tt.latest
			}
			ctx, cancel := context.WithCancelCause(context.Background())
			cancel(errSupersededTest)
			job := evalJob{Event: bot.Event{Repo: testRepo}, PullRequest: bot.PullRequest{Number: 2}, RunID: 41}
			sha := strings.Repeat("a", 40)
			if err := b.evaluationFailed(ctx, b.publisher(f, job, sha), f, job, sha, 1, context.Canceled, b.log); err != nil {
				t.Fatal(err)
			}
			if f.completed[41] != bot.ConclusionNeutral || f.titles[41] != tt.wantTitle {
				t.Errorf("run: %q %q, want neutral %q", f.completed[41], f.titles[41], tt.wantTitle)
			}
		})
	}
}

var errSupersededTest = fmt.Errorf("queue: %w", bot.ErrSuperseded)

func TestStoreBases(t *testing.T) {
	base := &checks.Report{Schema: checks.Schema, Project: "shop"}
	mb := strings.Repeat("9", 40)
	tests := []struct {
		name string
		c    compare.Comparison
		want bool
	}{
		{"a built base is stored under the merge-base", compare.Comparison{Project: "shop", BaseRev: mb, Base: base}, true},
		{"a failed base is not", compare.Comparison{Project: "shop", BaseRev: mb, Base: base, BaseError: "build failed"}, false},
		{"no base", compare.Comparison{Project: "shop", BaseRev: mb}, false},
		{"no merge-base", compare.Comparison{Project: "shop", Base: base}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, st, _ := newRecheckBot(t, newFakeForge(), nil)
			res := compare.NewResult()
			c := tt.c
			res.Projects = append(res.Projects, &c)
			b.storeBases(context.Background(), testRepo, res, b.log)
			data, ok := st.reports[mb+"/shop"]
			if ok != tt.want {
				t.Fatalf("stored %v, want %v (%v)", ok, tt.want, st.reports)
			}
			if ok && !strings.Contains(string(data), `"project":"shop"`) {
				t.Errorf("stored %s", data)
			}
		})
	}
}
