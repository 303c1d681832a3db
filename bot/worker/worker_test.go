package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/release"
)

var errNoFile = fmt.Errorf("fake: %w", bot.ErrNotFound)

// fakeForge records what the bot does on the forge.
type fakeForge struct {
	mu        sync.Mutex
	perms     map[string]string
	config    string // .mpgate.yml of the default branch; "" = none
	pr        bot.PullRequest
	nextID    int64
	created   []string // "sha status"
	completed map[int64]string
	titles    map[int64]string
	comments  []string
	reactions []string
	labelled  []string // "number label"
}

// AddLabel labels the request as a forge does: it carries the label when read again.
func (f *fakeForge) AddLabel(_ context.Context, _ bot.Repo, number int, label string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.labelled = append(f.labelled, fmt.Sprintf("%d %s", number, label))
	if f.pr.Number == number && !slices.Contains(f.pr.Labels, label) {
		f.pr.Labels = append(f.pr.Labels, label)
	}
	return nil
}

func newFakeForge() *fakeForge {
	return &fakeForge{perms: map[string]string{}, completed: map[int64]string{}, titles: map[int64]string{}, nextID: 100}
}

func (f *fakeForge) CreateCheck(_ context.Context, ref bot.CheckRef, status, _ string) (bot.CheckRef, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	f.created = append(f.created, ref.SHA+" "+status)
	ref.ID = f.nextID
	return ref, nil
}
func (f *fakeForge) StartCheck(context.Context, bot.CheckRef) error { return nil }
func (f *fakeForge) CompleteCheck(_ context.Context, ref bot.CheckRef, conclusion string, out bot.CheckOutput) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.completed[ref.ID], f.titles[ref.ID] = conclusion, out.Title
	return nil
}
func (f *fakeForge) UpsertStickyComment(_ context.Context, _ bot.Repo, pr int, _, _, _ string) (bot.CommentRef, bool, error) {
	return bot.CommentRef{PR: pr, ID: 1}, true, nil
}
func (f *fakeForge) UpdateStickyComment(_ context.Context, _ bot.Repo, pr int, _, _, _ string) (bot.CommentRef, bool, error) {
	return bot.CommentRef{PR: pr, ID: 1}, true, nil
}
func (f *fakeForge) Reply(_ context.Context, _ bot.Repo, to bot.CommentRef, body string) (bot.CommentRef, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.comments = append(f.comments, body)
	return bot.CommentRef{PR: to.PR, ID: int64(len(f.comments))}, nil
}
func (f *fakeForge) React(_ context.Context, _ bot.Repo, c bot.CommentRef, content string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reactions = append(f.reactions, fmt.Sprintf("%d %s", c.ID, content))
	return nil
}
func (f *fakeForge) Permission(_ context.Context, _ bot.Repo, user string) (string, error) {
	if p, ok := f.perms[user]; ok {
		return p, nil
	}
	return "none", nil
}
func (f *fakeForge) PullRequestEvent(context.Context, bot.Repo, int) (bot.PullRequest, error) {
	return f.pr, nil
}
func (f *fakeForge) FileContent(context.Context, bot.Repo, string, string) ([]byte, string, error) {
	if f.config == "" {
		return nil, "", fmt.Errorf("reading: %w", errNoFile)
	}
	return []byte(f.config), "blob", nil
}
func (f *fakeForge) GitToken(context.Context) (string, error)      { return "", nil }
func (f *fakeForge) ReleasePublisher(bot.Repo) release.Publisher   { return nil }
func (f *fakeForge) ReleasePusher(bot.Repo, string) release.Pusher { return nil }

// fakeStore keeps the bot's records in memory.
// LatestHead knows the heads in latest (none by default).
func (s *fakeStore) LatestHead(_ context.Context, _ bot.Repo, number int) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.latest[number]
	return h, ok, nil
}

type fakeStore struct {
	latest    map[int]string
	mu        sync.Mutex
	runs      []bot.CheckRecord
	approvals map[string][2]string
	inst      map[string]int64
	recorded  []bot.RunRecord
	recordErr error // RecordRun's answer
}

func (s *fakeStore) RecordRun(_ context.Context, r bot.RunRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.recordErr != nil {
		return s.recordErr
	}
	s.recorded = append(s.recorded, r)
	return nil
}

func newFakeStore() *fakeStore {
	return &fakeStore{approvals: map[string][2]string{}, inst: map[string]int64{}}
}

func (s *fakeStore) PutCheckRun(_ context.Context, c bot.CheckRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.runs {
		if r.Repo == c.Repo && r.SHA == c.SHA && r.Name == c.Name {
			if c.Delivery == "" { // as the store: an update without one keeps it
				c.Delivery = r.Delivery
			}
			s.runs[i] = c
			return nil
		}
	}
	s.runs = append(s.runs, c)
	return nil
}
func (s *fakeStore) CompleteCheckRun(_ context.Context, repo bot.Repo, sha, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.runs {
		if r.Repo == repo && r.SHA == sha && r.Name == name {
			s.runs[i].Completed = true
		}
	}
	return nil
}
func (s *fakeStore) CheckRuns(_ context.Context, repo bot.Repo, sha string) ([]bot.CheckRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []bot.CheckRecord
	for _, r := range s.runs {
		if r.Repo == repo && r.SHA == sha {
			out = append(out, r)
		}
	}
	return out, nil
}
func (s *fakeStore) PendingChecks(context.Context, time.Duration) ([]bot.CheckRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []bot.CheckRecord
	for _, r := range s.runs {
		if !r.Completed {
			out = append(out, r)
		}
	}
	return out, nil
}
func (s *fakeStore) PutReport(context.Context, bot.Repo, string, string, []byte) error { return nil }
func (s *fakeStore) Report(context.Context, bot.Repo, string, string) ([]byte, bool, error) {
	return nil, false, nil
}
func approvalKey(number int, sha string, kind bot.ApprovalKind) string {
	return fmt.Sprintf("%d/%s/%s", number, sha, kind)
}
func (s *fakeStore) Approve(_ context.Context, _ bot.Repo, number int, sha string, kind bot.ApprovalKind, by, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.approvals[approvalKey(number, sha, kind)] = [2]string{by, reason}
	return nil
}
func (s *fakeStore) Approval(_ context.Context, _ bot.Repo, number int, sha string, kind bot.ApprovalKind) (string, string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.approvals[approvalKey(number, sha, kind)]
	return a[0], a[1], ok, nil
}
func (s *fakeStore) Revoke(_ context.Context, _ bot.Repo, number int, sha string, kind bot.ApprovalKind) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.approvals, approvalKey(number, sha, kind))
	return nil
}
func (s *fakeStore) PutInstallation(_ context.Context, repo bot.Repo, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inst[repo.FullName()] = id
	return nil
}
func (s *fakeStore) Installation(_ context.Context, repo bot.Repo) (int64, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.inst[repo.FullName()]
	return id, ok, nil
}

// fakeQueue records the evaluations queued.
type fakeQueue struct {
	mu        sync.Mutex
	evals     []string // "number sha"
	payloads  [][]byte
	forgotten []int
}

func (q *fakeQueue) ForgetEvaluation(_ context.Context, _ bot.Repo, number int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.forgotten = append(q.forgotten, number)
	return nil
}

func (q *fakeQueue) EnqueueEvaluation(_ context.Context, _ bot.Repo, number int, sha string, payload []byte) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.evals = append(q.evals, fmt.Sprintf("%d %s", number, sha))
	q.payloads = append(q.payloads, payload)
	return false, nil
}

type nopWrapper struct{}

func (nopWrapper) Wrap(*exec.Cmd) error { return nil }

var testRepo = bot.Repo{Forge: bot.ForgeGitHub, Owner: "octo", Name: "shop"}

func newTestBot(t *testing.T, f *fakeForge, sandboxed bool) (*Worker, *fakeStore, *fakeQueue) {
	t.Helper()
	st, q := newFakeStore(), &fakeQueue{}
	cfg := Config{
		Installations: InstallationsFunc(func(context.Context, string, int64) (Forge, error) { return f, nil }),
		Queue:         q, Store: st, DataDir: t.TempDir(), BotLogin: "mpgate[bot]",
	}
	if sandboxed {
		cfg.Sandbox = nopWrapper{}
	}
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b, st, q
}

func prEvent(pr bot.PullRequest) bot.Event {
	return bot.Event{Forge: bot.ForgeGitHub, DeliveryID: "d", Kind: bot.KindPullRequest, Action: "opened", Repo: testRepo,
		CloneURL: "/nowhere", DefaultBranch: "main", InstallationID: 1, PullRequest: &pr}
}

const buildConfig = "projects:\n  - name: app\n    root: dist\n    build: \"npm run build\"\n"

func TestTrustDecisions(t *testing.T) {
	head := strings.Repeat("a", 40)
	tests := []struct {
		name       string
		config     string
		fork       bool
		authorPerm string
		approved   bool
		sandboxed  bool
		wantEval   bool
		wantConcl  string // conclusion of a check run concluded at once
		wantInTitl string
	}{
		{"same repository, build", buildConfig, false, "", false, false, true, "", ""},
		{"fork without build is analysed", "", true, "read", false, false, true, "", ""},
		{"fork by a writer is trusted", buildConfig, true, "write", false, false, true, "", ""},
		{"fork waits for /ok-to-build", buildConfig, true, "read", false, true, false, bot.ConclusionActionRequired, "/ok-to-build"},
		{"fork approved, sandboxed", buildConfig, true, "read", true, true, true, "", ""},
		{"fork approved, no sandbox", buildConfig, true, "read", true, false, false, bot.ConclusionFailure, "sandbox"},
		{"forks never built", buildConfig + "trust: {build_forks: never}\n", true, "read", false, true, false, bot.ConclusionNeutral, "forks"},
		{"forks always built, sandboxed", buildConfig + "trust: {build_forks: always}\n", true, "none", false, true, true, "", ""},
		{"invalid config", "nonsense: [", false, "", false, true, false, bot.ConclusionFailure, "Invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeForge()
			f.config = tt.config
			f.perms["mallory"] = tt.authorPerm
			pr := bot.PullRequest{Number: 4, HeadSHA: head, BaseRef: "main", Fork: tt.fork, Author: "mallory"}
			f.pr = pr
			b, st, q := newTestBot(t, f, tt.sandboxed)
			if tt.approved {
				st.Approve(context.Background(), testRepo, 4, head, bot.ApproveBuild, "maintainer", "")
			}
			if err := b.HandleEvent(context.Background(), prEvent(pr)); err != nil {
				t.Fatal(err)
			}
			if got := len(q.evals) == 1; got != tt.wantEval {
				t.Errorf("evaluations %v, want queued %v", q.evals, tt.wantEval)
			}
			if tt.wantEval {
				if len(f.created) != 1 || f.created[0] != head+" queued" || len(f.completed) != 0 {
					t.Errorf("check runs created %v, completed %v; want one queued", f.created, f.completed)
				}
				return
			}
			if len(f.completed) != 1 {
				t.Fatalf("completed %v, want one check run concluded at once", f.completed)
			}
			for id, c := range f.completed {
				if c != tt.wantConcl || !strings.Contains(f.titles[id], tt.wantInTitl) {
					t.Errorf("concluded %q %q, want %q with %q", c, f.titles[id], tt.wantConcl, tt.wantInTitl)
				}
			}
		})
	}
}

// TestRepeatedDelivery: the queue runs an event job again when the server
// died before it recorded the job's completion. A delivery whose check run
// it created is concluded is not evaluated again (no second check run left
// queued beside it); while its run is in flight the run is reused; another
// delivery on the same head is evaluated.
func TestRepeatedDelivery(t *testing.T) {
	head := strings.Repeat("b", 40)
	f := newFakeForge()
	pr := bot.PullRequest{Number: 5, HeadSHA: head, BaseRef: "main", Author: "alice"}
	f.pr = pr
	b, st, q := newTestBot(t, f, true)
	ev := prEvent(pr)
	steps := []struct {
		name            string
		delivery        string
		concludeBefore  bool
		created, queued int
	}{
		{"first delivery", "d-1", false, 1, 1},
		{"the same, its run in flight", "d-1", false, 1, 2},
		{"the same, its run concluded", "d-1", true, 1, 2},
		{"another delivery on the head", "d-2", false, 2, 3},
	}
	for _, s := range steps {
		if s.concludeBefore {
			if err := st.CompleteCheckRun(t.Context(), testRepo, head, bot.CheckName); err != nil {
				t.Fatal(err)
			}
		}
		ev.DeliveryID = s.delivery
		if err := b.HandleEvent(t.Context(), ev); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if len(f.created) != s.created || len(q.evals) != s.queued {
			t.Errorf("%s: check runs created %v, evaluations queued %v; want %d and %d", s.name, f.created, q.evals, s.created, s.queued)
		}
	}
}

func TestEventsIgnored(t *testing.T) {
	draft := bot.PullRequest{Number: 1, HeadSHA: "abc", Draft: true}
	tests := []struct {
		name string
		ev   bot.Event
		perm string
	}{
		{"draft", prEvent(draft), ""},
		{"no installation", bot.Event{Forge: bot.ForgeGitHub, Kind: bot.KindPullRequest, Repo: testRepo, PullRequest: &bot.PullRequest{Number: 1}}, ""},
		{"bot comment", bot.Event{Forge: bot.ForgeGitHub, Kind: bot.KindComment, Repo: testRepo, InstallationID: 1, PullRequest: &bot.PullRequest{Number: 1},
			Comment: &bot.Comment{ID: 1, Body: "/rebuild", Author: "ci[bot]", AuthorIsBot: true}}, "admin"},
		{"quoted command", bot.Event{Forge: bot.ForgeGitHub, Kind: bot.KindComment, Repo: testRepo, InstallationID: 1, PullRequest: &bot.PullRequest{Number: 1},
			Comment: &bot.Comment{ID: 1, Body: "> /rebuild\nno", Author: "alice"}}, "admin"},
		{"push to another branch", bot.Event{Forge: bot.ForgeGitHub, Kind: bot.KindPush, Repo: testRepo, InstallationID: 1, DefaultBranch: "main",
			Push: &bot.Push{Ref: "refs/heads/feature", After: strings.Repeat("b", 40)}}, ""},
		{"branch deleted", bot.Event{Forge: bot.ForgeGitHub, Kind: bot.KindPush, Repo: testRepo, InstallationID: 1, DefaultBranch: "main",
			Push: &bot.Push{Ref: "refs/heads/main", After: strings.Repeat("0", 40)}}, ""},
		{"size button by a reader", bot.Event{Forge: bot.ForgeGitHub, Kind: bot.KindRequestedAction, Repo: testRepo, InstallationID: 1, Sender: "alice",
			Check: &bot.Check{HeadSHA: "abc", ActionID: bot.ActionApproveSize, PRNumbers: []int{1}}}, "read"},
		{"unknown button", bot.Event{Forge: bot.ForgeGitHub, Kind: bot.KindRequestedAction, Repo: testRepo, InstallationID: 1, Sender: "alice",
			Check: &bot.Check{HeadSHA: "abc", ActionID: "other", PRNumbers: []int{1}}}, "admin"},
		{"ping", bot.Event{Forge: bot.ForgeGitHub, Kind: bot.KindPing, InstallationID: 1}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeForge()
			f.perms["alice"] = tt.perm
			b, st, q := newTestBot(t, f, true)
			if err := b.HandleEvent(context.Background(), tt.ev); err != nil {
				t.Fatal(err)
			}
			if len(q.evals)+len(f.created)+len(f.comments)+len(f.reactions)+len(st.approvals) != 0 {
				t.Errorf("acted: evals %v, runs %v, comments %v, reactions %v, approvals %v", q.evals, f.created, f.comments, f.reactions, st.approvals)
			}
		})
	}
}

func TestCommands(t *testing.T) {
	head := strings.Repeat("c", 40)
	tests := []struct {
		name          string
		body, perm    string
		wantEval      bool
		wantReact     bool
		wantReply     string
		wantApproval  bot.ApprovalKind
		wantApprovalR string
	}{
		{"help by a reader", "/mpgate help", "read", false, true, "| `/rebuild [-p project]`", "", ""},
		{"bare help is another bot's", "/help", "write", false, false, "", "", ""},
		{"prefixed rebuild", "@mpgate rebuild", "write", true, true, "", "", ""},
		{"prefixed unknown", "/mpgate deploy", "write", false, false, "`deploy` is not an mpgate command", "", ""},
		{"rebuild of a project", "/rebuild -p shop", "write", true, true, "", "", ""},
		{"rebuild of an unknown project", "/rebuild -p web", "write", false, false, "no project `web`", "", ""},
		{"approve-size of a project", "/approve-size -p admin new icons", "admin", true, true, "", bot.SizeApprovalOf("admin"), "new icons"},
		{"project by a reader", "/rebuild -p shop", "read", false, false, "only people with write access", "", ""},
		{"rebuild by a reader", "/rebuild", "read", false, false, "only people with write access", "", ""},
		{"rebuild by a writer", "/rebuild", "write", true, true, "", "", ""},
		{"recheck by a maintainer, nothing stored", "please\n/recheck", "maintain", true, true, "builds and checks it from scratch", "", ""},
		{"approve-size with reason", "/approve-size new icons", "admin", true, true, "", bot.ApproveSize, "new icons"},
		{"approve-size without reason", "/approve-size", "admin", false, false, "reason", "", ""},
		{"ok-to-build", "/ok-to-build", "write", true, true, "", bot.ApproveBuild, ""},
		{"ok-to-build by triage", "/ok-to-build", "triage", false, false, "only people with write access", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeForge()
			f.perms["alice"] = tt.perm
			f.config = "projects:\n  - name: shop\n    root: shop\n  - name: admin\n    root: admin\n"
			f.pr = bot.PullRequest{Number: 6, HeadSHA: head, BaseRef: "main"}
			b, st, q := newTestBot(t, f, true)
			ev := bot.Event{Forge: bot.ForgeGitHub, DeliveryID: "c", Kind: bot.KindComment, Repo: testRepo, InstallationID: 1,
				PullRequest: &bot.PullRequest{Number: 6}, Comment: &bot.Comment{ID: 55, Body: tt.body, Author: "alice"}}
			if err := b.HandleEvent(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
			if got := len(q.evals) == 1; got != tt.wantEval {
				t.Errorf("evaluations %v, want queued %v", q.evals, tt.wantEval)
			}
			if len(q.payloads) == 1 {
				var job evalJob
				if err := json.Unmarshal(q.payloads[0], &job); err != nil {
					t.Fatal(err)
				}
				var want []string
				if strings.Contains(tt.body, "rebuild -p shop") {
					want = []string{"shop"}
				}
				if !slices.Equal(job.RebuildOnly, want) {
					t.Errorf("rebuild only %v, want %v", job.RebuildOnly, want)
				}
			}
			if got := len(f.reactions) == 1 && f.reactions[0] == "55 +1"; got != tt.wantReact {
				t.Errorf("reactions %v, want one %v", f.reactions, tt.wantReact)
			}
			if tt.wantReply == "" && len(f.comments) != 0 {
				t.Errorf("replied %q", f.comments)
			}
			if tt.wantReply != "" && (len(f.comments) != 1 || !strings.Contains(f.comments[0], tt.wantReply)) {
				t.Errorf("replies %q, want one with %q", f.comments, tt.wantReply)
			}
			if tt.wantApproval != "" {
				a, ok := st.approvals[approvalKey(6, head, tt.wantApproval)]
				if !ok || a[0] != "alice" || a[1] != tt.wantApprovalR {
					t.Errorf("approvals %v", st.approvals)
				}
			} else if len(st.approvals) != 0 {
				t.Errorf("approvals %v", st.approvals)
			}
		})
	}
}

func TestRecover(t *testing.T) {
	f := newFakeForge()
	b, st, _ := newTestBot(t, f, true)
	ctx := context.Background()
	st.PutInstallation(ctx, testRepo, 1)
	st.PutCheckRun(ctx, bot.CheckRecord{Repo: testRepo, SHA: "s1", Name: bot.CheckName, RunID: 9, PR: 2})
	st.PutCheckRun(ctx, bot.CheckRecord{Repo: bot.Repo{Forge: bot.ForgeGitHub, Owner: "x", Name: "unknown"}, SHA: "s2", Name: bot.CheckName, RunID: 10})
	n, err := b.Recover(ctx, time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("Recover = %d, %v; want 1 (the other repository has no installation)", n, err)
	}
	if f.completed[9] != bot.ConclusionNeutral || f.titles[9] != "Interrupted" {
		t.Errorf("completed %v %v", f.completed, f.titles)
	}
	runs, _ := st.CheckRuns(ctx, testRepo, "s1")
	if len(runs) != 1 || !runs[0].Completed {
		t.Errorf("store still has it in progress: %+v", runs)
	}
}

func TestNewRequires(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("New without ports succeeded")
	}
	if _, err := New(Config{Installations: InstallationsFunc(nil), Queue: &fakeQueue{}, Store: newFakeStore()}); err == nil {
		t.Error("New without DataDir succeeded")
	}
}

func TestReruns(t *testing.T) {
	head := strings.Repeat("d", 40)
	tests := []struct {
		name         string
		ev           bot.Event
		recorded     bool // the bot recorded a check run of PR 3 on head
		perm         string
		wantEval     bool
		wantApproval bool
	}{
		{"re-run with the pull request", bot.Event{Kind: bot.KindRerun, Check: &bot.Check{HeadSHA: head, PRNumbers: []int{3}}}, false, "", true, false},
		{"suite re-run of a fork (no pull requests listed)", bot.Event{Kind: bot.KindRerun, Check: &bot.Check{SuiteID: 1, HeadSHA: head}}, true, "", true, false},
		{"re-run of an unknown commit", bot.Event{Kind: bot.KindRerun, Check: &bot.Check{SuiteID: 1, HeadSHA: head}}, false, "", false, false},
		{"size button by a writer", bot.Event{Kind: bot.KindRequestedAction, Sender: "alice", Check: &bot.Check{HeadSHA: head, ActionID: bot.ActionApproveSize, PRNumbers: []int{3}}}, false, "write", true, true},
		{"size button by a bot", bot.Event{Kind: bot.KindRequestedAction, Sender: "x[bot]", SenderIsBot: true, Check: &bot.Check{HeadSHA: head, ActionID: bot.ActionApproveSize, PRNumbers: []int{3}}}, false, "admin", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeForge()
			f.perms["alice"], f.perms["x[bot]"] = tt.perm, tt.perm
			f.pr = bot.PullRequest{Number: 3, HeadSHA: head, BaseRef: "main"}
			b, st, q := newTestBot(t, f, true)
			if tt.recorded {
				st.PutCheckRun(context.Background(), bot.CheckRecord{Repo: testRepo, SHA: head, Name: bot.CheckName, RunID: 1, PR: 3, Completed: true})
			}
			ev := tt.ev
			ev.Forge, ev.Repo, ev.InstallationID, ev.DeliveryID = bot.ForgeGitHub, testRepo, 1, "r"
			if err := b.HandleEvent(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
			if got := len(q.evals) == 1 && q.evals[0] == "3 "+head; got != tt.wantEval {
				t.Errorf("evaluations %v, want one %v", q.evals, tt.wantEval)
			}
			by, reason, ok, _ := st.Approval(context.Background(), testRepo, 3, head, bot.ApproveSize)
			if ok != tt.wantApproval || ok && (by != "alice" || reason == "") {
				t.Errorf("approval %q %q %v, want %v", by, reason, ok, tt.wantApproval)
			}
		})
	}
}

func TestEvaluationFailed(t *testing.T) {
	errSuperseded, errHandedBack := fmt.Errorf("queue: %w", bot.ErrSuperseded), errors.New("handed back")
	tests := []struct {
		name      string
		cause     error // the context's cancellation cause; nil: not cancelled
		err       error
		attempt   int
		wantErr   bool
		wantConcl string // "" = the check run is left for the next attempt
	}{
		{"superseded", errSuperseded, context.Canceled, 1, false, bot.ConclusionNeutral},
		{"sandbox required", nil, ErrSandboxRequired, 1, false, bot.ConclusionFailure},
		{"config", nil, &configError{err: errors.New("bad")}, 1, false, bot.ConclusionFailure},
		{"transient", nil, errors.New("network"), 1, true, ""},
		{"shutting down", context.Canceled, context.Canceled, 2, true, ""},
		{"last attempt", nil, errors.New("network"), 3, true, bot.ConclusionFailure},
		{"last attempt handed back at shutdown", errHandedBack, context.Canceled, 3, true, ""},
		{"last attempt timed out", context.DeadlineExceeded, context.DeadlineExceeded, 3, true, bot.ConclusionTimedOut},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeForge()
			b, _, _ := newTestBot(t, f, true)
			b.cfg.HandedBack, b.cfg.MaxAttempts = errHandedBack, 3
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			if tt.cause != nil {
				cancel(tt.cause)
			}
			job := evalJob{Event: prEvent(bot.PullRequest{Number: 1}), PullRequest: bot.PullRequest{Number: 1, HeadSHA: "abc"}, RunID: 42}
			p := b.publisher(f, job, "abc")
			if err := p.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			err := b.evaluationFailed(ctx, p, f, job, "abc", tt.attempt, tt.err, b.log)
			if (err != nil) != tt.wantErr {
				t.Errorf("err %v, want error %v", err, tt.wantErr)
			}
			if got := f.completed[42]; got != tt.wantConcl {
				t.Errorf("check run concluded %q, want %q", got, tt.wantConcl)
			}
		})
	}
}

// Removing the build label revokes the grant at once: put back by hand
// before the next push, it grants nothing. Another label's removal changes
// nothing. A GitLab update names only the first label it took off: a
// request left without the build label loses the grant too.
func TestUnlabeledRevokesBuildGrant(t *testing.T) {
	for _, tt := range []struct {
		name    string
		label   string
		left    []string // the request's labels after the removal
		revoked bool
	}{
		{"build label", "mpgate:ok-to-build", []string{"ui"}, true},
		{"another label", "needs-review", []string{"mpgate:ok-to-build"}, false},
		{"another label first, the build label too", "needs-review", []string{"ui"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeForge()
			b, st, _ := newTestBot(t, f, true)
			if err := st.Approve(context.Background(), testRepo, 6, bot.LabelGrant, bot.ApproveBuild, "maintainer", "label mpgate:ok-to-build"); err != nil {
				t.Fatal(err)
			}
			ev := bot.Event{Forge: bot.ForgeGitHub, DeliveryID: "u", Kind: bot.KindPullRequestUnlabeled, Repo: testRepo, InstallationID: 1,
				PullRequest: &bot.PullRequest{Number: 6, HeadSHA: strings.Repeat("e", 40), Labels: tt.left}, Label: tt.label, Sender: "maintainer"}
			if err := b.HandleEvent(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
			_, _, ok, err := st.Approval(context.Background(), testRepo, 6, bot.LabelGrant, bot.ApproveBuild)
			if err != nil {
				t.Fatal(err)
			}
			if ok == tt.revoked {
				t.Errorf("grant kept %v after removing %q, want revoked %v", ok, tt.label, tt.revoked)
			}
		})
	}
}
