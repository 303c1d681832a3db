package webhooks

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/bot"
)

var testSecret = []byte("It's a Secret to Everybody")

func signGitHub(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func githubHeader(event, delivery string, secret, body []byte) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(headerGitHubEvent, event)
	h.Set(headerGitHubDelivery, delivery)
	h.Set(headerGitHubSignature, signGitHub(secret, body))
	return h
}

func githubServer(t *testing.T, cfg GitHubConfig) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(NewGitHub(cfg))
	t.Cleanup(srv.Close)
	return srv
}

func TestSignatureKnownVector(t *testing.T) {
	// GitHub's documented example (docs "Validating webhook deliveries").
	got := signGitHub([]byte("It's a Secret to Everybody"), []byte("Hello, World!"))
	want := "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	if got != want {
		t.Fatalf("signature = %s, want %s", got, want)
	}
	if err := verifyGitHubSignature([]byte("It's a Secret to Everybody"), []byte("Hello, World!"), want); err != nil {
		t.Fatalf("verify: %v", err)
	}
}

// TestGitHubNormalise sends each accepted payload over HTTP, signed, and
// compares the enqueued bot.Event with its golden file.
func TestGitHubNormalise(t *testing.T) {
	closed := readTestdata(t, "github-webhooks/octokit/pull_request/closed.payload.json")
	opened := readTestdata(t, "github-webhooks/octokit/pull_request/opened.payload.json")
	comment := readTestdata(t, "github-webhooks/go-playground/pull-request-issue-comment.json")
	tests := []struct {
		name, event string
		body        []byte
	}{
		{"pr-opened", "pull_request", opened},
		{"pr-opened-null-body", "pull_request", readTestdata(t, "github-webhooks/octokit/pull_request/opened.with-null-body.json")},
		{"pr-synchronize", "pull_request", readTestdata(t, "github-webhooks/octokit/pull_request/synchronize.payload.json")},
		{"pr-reopened", "pull_request", readTestdata(t, "github-webhooks/octokit/pull_request/reopened.payload.json")},
		{"pr-opened-go-playground", "pull_request", readTestdata(t, "github-webhooks/go-playground/pull-request.json")},
		{"pr-closed", "pull_request", closed},
		{"pr-closed-drone", "pull_request", readTestdata(t, "github-webhooks/drone-go-scm/pr_closed.json")},
		// No public merged:true example exists: derived from closed.
		{"pr-merged-derived", "pull_request", derive(t, closed, map[string]any{
			"pull_request.merged": true, "pull_request.merge_commit_sha": "9049f1265b7d61be4a8904a9a27120d2064dab3b",
		})},
		{"pr-ready-for-review-draft-derived", "pull_request", derive(t, opened, map[string]any{
			"action": "ready_for_review", "pull_request.draft": true,
		})},
		{"pr-fork-derived", "pull_request", derive(t, opened, map[string]any{
			"pull_request.head.repo.full_name": "someone/Hello-World",
		})},
		{"pr-deleted-fork-derived", "pull_request", derive(t, opened, map[string]any{
			"pull_request.head.repo": nil,
		})},
		{"push-new-branch", "push", readTestdata(t, "github-webhooks/octokit/push/with-new-branch.payload.json")},
		{"push-tag", "push", readTestdata(t, "github-webhooks/drone-go-scm/push_tag.json")},
		{"comment-go-playground", "issue_comment", comment},
		{"comment-drone", "issue_comment", readTestdata(t, "github-webhooks/drone-go-scm/comment.json")},
		{"comment-atlantis", "issue_comment", readTestdata(t, "github-webhooks/atlantis/githubIssueCommentEvent.json")},
		{"comment-by-bot-derived", "issue_comment", derive(t, comment, map[string]any{
			"comment.user.login": "renovate[bot]", "sender.login": "renovate[bot]",
		})},
		{"check-run-rerequested", "check_run", readTestdata(t, "github-webhooks/octokit/check_run/rerequested.payload.json")},
		{"check-run-rerequested-go-playground", "check_run", readTestdata(t, "github-webhooks/go-playground/check-run.json")},
		{"check-run-requested-action", "check_run", readTestdata(t, "github-webhooks/octokit/check_run/requested_action.payload.json")},
		{"check-suite-rerequested", "check_suite", readTestdata(t, "github-webhooks/octokit/check_suite/rerequested.payload.json")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &fakeQueue{}
			srv := githubServer(t, GitHubConfig{Secret: testSecret, Enqueuer: q})
			status, body := post(t, http.MethodPost, srv.URL, githubHeader(tt.event, "d-"+tt.name, testSecret, tt.body), bytes.NewReader(tt.body))
			if status != http.StatusAccepted || !strings.HasPrefix(body, "accepted ") {
				t.Fatalf("status %d %q, want 202 accepted", status, body)
			}
			evs, _ := q.snapshot()
			if len(evs) != 1 {
				t.Fatalf("enqueued %d events, want 1", len(evs))
			}
			if evs[0].DeliveryID != "d-"+tt.name || evs[0].Forge != bot.ForgeGitHub {
				t.Errorf("delivery %q forge %q", evs[0].DeliveryID, evs[0].Forge)
			}
			checkGolden(t, "github/"+tt.name, evs[0])
		})
	}
}

// TestGitHubKinds pins the decisions the golden files hold, so a wrong
// -update cannot slip through.
func TestGitHubKinds(t *testing.T) {
	opened := readTestdata(t, "github-webhooks/octokit/pull_request/opened.payload.json")
	closed := readTestdata(t, "github-webhooks/octokit/pull_request/closed.payload.json")
	tests := []struct {
		name, event string
		body        []byte
		check       func(t *testing.T, ev bot.Event)
	}{
		{"opened", "pull_request", opened, func(t *testing.T, ev bot.Event) {
			if ev.Kind != bot.KindPullRequest || ev.PullRequest.Number != 2 || ev.PullRequest.Fork || ev.Repo.FullName() != "Codertocat/Hello-World" ||
				ev.CloneURL != "https://github.com/Codertocat/Hello-World.git" || ev.DefaultBranch != "master" || ev.Sender != "Codertocat" || ev.SenderIsBot {
				t.Errorf("%+v %+v", ev, ev.PullRequest)
			}
		}},
		{"merged", "pull_request", derive(t, closed, map[string]any{"pull_request.merged": true, "pull_request.merge_commit_sha": "abcdef0123456789abcdef0123456789abcdef01"}), func(t *testing.T, ev bot.Event) {
			if ev.Kind != bot.KindPullRequestClosed || !ev.PullRequest.Merged || ev.PullRequest.MergeSHA != "abcdef0123456789abcdef0123456789abcdef01" {
				t.Errorf("%+v", ev.PullRequest)
			}
		}},
		{"closed unmerged keeps no merge sha", "pull_request", closed, func(t *testing.T, ev bot.Event) {
			if ev.Kind != bot.KindPullRequestClosed || ev.PullRequest.Merged || ev.PullRequest.MergeSHA != "" {
				t.Errorf("%+v", ev.PullRequest)
			}
		}},
		{"fork", "pull_request", derive(t, opened, map[string]any{"pull_request.head.repo.full_name": "x/y"}), func(t *testing.T, ev bot.Event) {
			if !ev.PullRequest.Fork || ev.PullRequest.HeadRepo != "x/y" {
				t.Errorf("%+v", ev.PullRequest)
			}
		}},
		{"head repo null is a fork", "pull_request", derive(t, opened, map[string]any{"pull_request.head.repo": nil}), func(t *testing.T, ev bot.Event) {
			if !ev.PullRequest.Fork {
				t.Errorf("%+v", ev.PullRequest)
			}
		}},
		{"unlabeled", "pull_request", derive(t, opened, map[string]any{"action": "unlabeled", "label": map[string]any{"name": "mpgate:ok-to-build"}}), func(t *testing.T, ev bot.Event) {
			if ev.Kind != bot.KindPullRequestUnlabeled || ev.Label != "mpgate:ok-to-build" || ev.PullRequest.Number != 2 {
				t.Errorf("%+v %+v", ev, ev.PullRequest)
			}
		}},
		{"draft kept", "pull_request", derive(t, opened, map[string]any{"pull_request.draft": true}), func(t *testing.T, ev bot.Event) {
			if !ev.PullRequest.Draft {
				t.Errorf("%+v", ev.PullRequest)
			}
		}},
		{"tag push", "push", readTestdata(t, "github-webhooks/drone-go-scm/push_tag.json"), func(t *testing.T, ev bot.Event) {
			if ev.Kind != bot.KindTagPush || ev.Push.Ref != "refs/tags/v0.0.1" {
				t.Errorf("%+v %+v", ev, ev.Push)
			}
		}},
		{"branch push", "push", readTestdata(t, "github-webhooks/octokit/push/with-new-branch.payload.json"), func(t *testing.T, ev bot.Event) {
			if ev.Kind != bot.KindPush || ev.Push.Ref != "refs/heads/master" || ev.Push.After == "" {
				t.Errorf("%+v %+v", ev, ev.Push)
			}
		}},
		{"requested action", "check_run", readTestdata(t, "github-webhooks/octokit/check_run/requested_action.payload.json"), func(t *testing.T, ev bot.Event) {
			if ev.Kind != bot.KindRequestedAction || ev.Check.ActionID != "lgtm|26764" || ev.Check.RunID != 1494503112 ||
				ev.Check.SuiteID != 1604239627 || len(ev.Check.PRNumbers) != 1 || ev.Check.PRNumbers[0] != 26764 || ev.InstallationID != 690857 {
				t.Errorf("%+v %+v", ev, ev.Check)
			}
		}},
		{"suite rerequested by a bot", "check_suite", readTestdata(t, "github-webhooks/octokit/check_suite/rerequested.payload.json"), func(t *testing.T, ev bot.Event) {
			if ev.Kind != bot.KindRerun || ev.Check.SuiteID != 118578147 || !ev.SenderIsBot {
				t.Errorf("%+v %+v", ev, ev.Check)
			}
		}},
		{"comment by bot", "issue_comment", derive(t, readTestdata(t, "github-webhooks/go-playground/pull-request-issue-comment.json"), map[string]any{"comment.user.login": "x[bot]"}), func(t *testing.T, ev bot.Event) {
			if ev.Kind != bot.KindComment || !ev.Comment.AuthorIsBot || ev.Comment.Body != "/build" || ev.PullRequest.Number == 0 {
				t.Errorf("%+v %+v", ev.Comment, ev.PullRequest)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := NormalizeGitHub(tt.event, "d", tt.body)
			if err != nil {
				t.Fatalf("NormalizeGitHub: %v", err)
			}
			tt.check(t, ev)
		})
	}
}

// TestCommitIDsChecked: a payload whose commit ids are not 40 or 64
// hexadecimal digits is refused before any of them reaches a path or a ref.
func TestCommitIDsChecked(t *testing.T) {
	opened := readTestdata(t, "github-webhooks/octokit/pull_request/opened.payload.json")
	for _, tc := range []struct {
		name string
		sha  string
		ok   bool
	}{
		{"sha-1", "0123456789abcdef0123456789abcdef01234567", true},
		{"sha-256", strings.Repeat("ab", 32), true},
		{"path", "../../../../etc/passwd", false},
		{"short", "abc123", false},
		{"41 digits", strings.Repeat("a", 41), false},
		{"not hex", strings.Repeat("g", 40), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NormalizeGitHub("pull_request", "d1", derive(t, opened, map[string]any{"pull_request.head.sha": tc.sha}))
			var pe *PayloadError
			if tc.ok != (err == nil) || (!tc.ok && !errors.As(err, &pe)) {
				t.Errorf("head sha %q: %v", tc.sha, err)
			}
		})
	}
	mr := readTestdata(t, "gitlab-webhooks/go-gitlab/merge_request.json")
	if _, err := NormalizeGitLab("Merge Request Hook", "i1", derive(t, mr, map[string]any{"object_attributes.last_commit.id": "../x"})); err == nil {
		t.Error("GitLab: a last_commit id that is a path was accepted")
	}
}

func TestGitHubIgnored(t *testing.T) {
	tests := []struct {
		name, event, file, reason string
	}{
		{"comment on an issue", "issue_comment", "octokit/issue_comment/created.payload.json", "not a pull request"},
		{"comment on an issue with installation", "issue_comment", "octokit/issue_comment/created.with-installation.payload.json", "not a pull request"},
		{"comment edited", "issue_comment", "octokit/issue_comment/edited.payload.json", `action "edited"`},
		{"tag deleted", "push", "octokit/push/payload.json", "deleting refs/tags/simple-tag"},
		{"check run created", "check_run", "octokit/check_run/created.payload.json", `action "created"`},
		{"check run completed", "check_run", "octokit/check_run/completed.payload.json", `action "completed"`},
		{"check suite requested", "check_suite", "octokit/check_suite/requested.payload.json", `action "requested"`},
		{"check suite completed", "check_suite", "octokit/check_suite/completed.payload.json", `action "completed"`},
		{"status", "status", "octokit/status/payload.json", `event "status"`},
		{"installation", "installation", "octokit/installation/created.payload.json", `event "installation"`},
		{"installation repositories", "installation_repositories", "octokit/installation_repositories/added.payload.json", `event "installation_repositories"`},
		{"unknown event", "star", "octokit/status/payload.json", `event "star"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &fakeQueue{}
			srv := githubServer(t, GitHubConfig{Secret: testSecret, Enqueuer: q})
			body := readTestdata(t, "github-webhooks/"+tt.file)
			status, resp := post(t, http.MethodPost, srv.URL, githubHeader(tt.event, "d1", testSecret, body), bytes.NewReader(body))
			if status != http.StatusAccepted || !strings.HasPrefix(resp, "ignored: ") || !strings.Contains(resp, tt.reason) {
				t.Errorf("got %d %q, want 202 ignored with %q", status, resp, tt.reason)
			}
			if _, calls := q.snapshot(); calls != 0 {
				t.Errorf("Enqueue called %d times for an ignored event", calls)
			}
		})
	}
}

func TestGitHubHTTP(t *testing.T) {
	payload := readTestdata(t, "github-webhooks/octokit/pull_request/opened.payload.json")
	ping := readTestdata(t, "github-webhooks/octokit/ping/payload.json")
	form := []byte("payload=" + url.QueryEscape(string(payload)))
	formHeader := githubHeader("pull_request", "d1", testSecret, form)
	formHeader.Set("Content-Type", "application/x-www-form-urlencoded")
	big := append(bytes.Repeat([]byte(" "), 2048), payload...)
	noSig := githubHeader("pull_request", "d1", testSecret, payload)
	noSig.Del(headerGitHubSignature)
	noDelivery := githubHeader("pull_request", "d1", testSecret, payload)
	noDelivery.Del(headerGitHubDelivery)
	noEvent := githubHeader("pull_request", "d1", testSecret, payload)
	noEvent.Del(headerGitHubEvent)
	sha1Sig := githubHeader("pull_request", "d1", testSecret, payload)
	sha1Sig.Set(headerGitHubSignature, "sha1=0000")

	tests := []struct {
		name     string
		cfg      GitHubConfig
		method   string
		header   http.Header
		body     io.Reader
		status   int
		contains string
		enqueued int // calls to Enqueue
	}{
		{"accepted", GitHubConfig{Secret: testSecret}, http.MethodPost, githubHeader("pull_request", "d1", testSecret, payload), bytes.NewReader(payload), 202, "accepted pull_request", 1},
		{"form encoded", GitHubConfig{Secret: testSecret}, http.MethodPost, formHeader, bytes.NewReader(form), 202, "accepted pull_request", 1},
		{"ping", GitHubConfig{Secret: testSecret}, http.MethodPost, githubHeader("ping", "d1", testSecret, ping), bytes.NewReader(ping), 200, "pong", 0},
		{"wrong method", GitHubConfig{Secret: testSecret}, http.MethodGet, githubHeader("pull_request", "d1", testSecret, nil), nil, 405, "method not allowed", 0},
		{"no secret configured", GitHubConfig{}, http.MethodPost, githubHeader("pull_request", "d1", nil, payload), bytes.NewReader(payload), 503, "no GitHub webhook secret", 0},
		{"bad signature", GitHubConfig{Secret: testSecret}, http.MethodPost, githubHeader("pull_request", "d1", []byte("wrong"), payload), bytes.NewReader(payload), 401, "signature rejected", 0},
		{"missing signature", GitHubConfig{Secret: testSecret}, http.MethodPost, noSig, bytes.NewReader(payload), 401, "signature rejected", 0},
		{"sha1 signature only", GitHubConfig{Secret: testSecret}, http.MethodPost, sha1Sig, bytes.NewReader(payload), 401, "signature rejected", 0},
		{"body tampered", GitHubConfig{Secret: testSecret}, http.MethodPost, githubHeader("pull_request", "d1", testSecret, payload), bytes.NewReader(append([]byte(" "), payload...)), 401, "signature rejected", 0},
		{"oversized with length", GitHubConfig{Secret: testSecret, MaxBody: 1024}, http.MethodPost, githubHeader("pull_request", "d1", testSecret, big), bytes.NewReader(big), 413, "too large", 0},
		// io.MultiReader hides the length: the request is chunked and
		// MaxBytesReader has to stop it.
		{"oversized chunked", GitHubConfig{Secret: testSecret, MaxBody: 1024}, http.MethodPost, githubHeader("pull_request", "d1", testSecret, big), io.MultiReader(bytes.NewReader(big)), 413, "too large", 0},
		{"malformed JSON", GitHubConfig{Secret: testSecret}, http.MethodPost, githubHeader("pull_request", "d1", testSecret, []byte(`{"action":`)), strings.NewReader(`{"action":`), 400, "malformed JSON", 0},
		{"no pull_request", GitHubConfig{Secret: testSecret}, http.MethodPost, githubHeader("pull_request", "d1", testSecret, []byte(`{"action":"opened","repository":{"name":"r","owner":{"login":"o"}}}`)), strings.NewReader(`{"action":"opened","repository":{"name":"r","owner":{"login":"o"}}}`), 400, "no pull_request", 0},
		{"missing delivery", GitHubConfig{Secret: testSecret}, http.MethodPost, noDelivery, bytes.NewReader(payload), 400, "missing X-GitHub-Delivery", 0},
		{"missing event", GitHubConfig{Secret: testSecret}, http.MethodPost, noEvent, bytes.NewReader(payload), 400, "missing X-GitHub-Event", 0},
		{"accepted chunked", GitHubConfig{Secret: testSecret}, http.MethodPost, githubHeader("pull_request", "d1", testSecret, payload), io.MultiReader(bytes.NewReader(payload)), 202, "accepted pull_request", 1},
		{"accepted at the size limit", GitHubConfig{Secret: testSecret, MaxBody: int64(len(big))}, http.MethodPost, githubHeader("pull_request", "d1", testSecret, big), io.MultiReader(bytes.NewReader(big)), 202, "accepted pull_request", 1},
		{"accepted with a budget of one chunk", GitHubConfig{Secret: testSecret, MaxBody: 16 << 10, MaxPending: 1}, http.MethodPost, githubHeader("ping", "d1", testSecret, ping), bytes.NewReader(ping), 200, "pong", 0},
		{"delivery id too long", GitHubConfig{Secret: testSecret}, http.MethodPost, githubHeader("pull_request", strings.Repeat("d", 201), testSecret, payload), bytes.NewReader(payload), 400, "longer than 200 bytes", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &fakeQueue{}
			tt.cfg.Enqueuer = q
			srv := githubServer(t, tt.cfg)
			status, body := post(t, tt.method, srv.URL, tt.header, tt.body)
			if status != tt.status || !strings.Contains(body, tt.contains) {
				t.Errorf("got %d %q, want %d containing %q", status, body, tt.status, tt.contains)
			}
			if _, calls := q.snapshot(); calls != tt.enqueued {
				t.Errorf("Enqueue called %d times, want %d", calls, tt.enqueued)
			}
		})
	}
}

func TestGitHubEnqueueOutcome(t *testing.T) {
	payload := readTestdata(t, "github-webhooks/octokit/pull_request/opened.payload.json")
	tests := []struct {
		name     string
		q        *fakeQueue
		status   int
		contains string
	}{
		{"enqueue fails", &fakeQueue{err: errQueueDown}, 500, "could not enqueue"},
		{"duplicate", &fakeQueue{dup: true}, 200, "duplicate"},
		{"stored", &fakeQueue{}, 202, "accepted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := githubServer(t, GitHubConfig{Secret: testSecret, Enqueuer: tt.q})
			status, body := post(t, http.MethodPost, srv.URL, githubHeader("pull_request", "d1", testSecret, payload), bytes.NewReader(payload))
			if status != tt.status || !strings.Contains(body, tt.contains) {
				t.Errorf("got %d %q, want %d %q", status, body, tt.status, tt.contains)
			}
			if strings.Contains(body, errQueueDown.Error()) {
				t.Errorf("internal error leaked to the forge: %q", body)
			}
		})
	}
}

// TestGitHubLogs checks that every line names the delivery and repository
// and that neither the secret nor the signature is ever logged.
func TestGitHubLogs(t *testing.T) {
	var buf syncBuffer
	payload := readTestdata(t, "github-webhooks/octokit/pull_request/opened.payload.json")
	srv := githubServer(t, GitHubConfig{Secret: testSecret, Enqueuer: &fakeQueue{}, Logger: jsonLogger(&buf)})
	good := githubHeader("pull_request", "deliv-1", testSecret, payload)
	bad := githubHeader("pull_request", "deliv-2", []byte("nope"), payload)
	for _, h := range []http.Header{good, bad} {
		post(t, http.MethodPost, srv.URL, h, bytes.NewReader(payload))
	}
	logs := buf.String()
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 log lines, got %d:\n%s", len(lines), logs)
	}
	for i, line := range lines {
		t.Run(line[:min(len(line), 40)], func(t *testing.T) {
			for _, key := range []string{`"delivery":"deliv-`, `"repo":`, `"forge":"github"`, `"status":`} {
				if !strings.Contains(line, key) {
					t.Errorf("line %d lacks %s: %s", i, key, line)
				}
			}
		})
	}
	if !strings.Contains(lines[0], `"repo":"Codertocat/Hello-World"`) {
		t.Errorf("accepted line lacks the repository: %s", lines[0])
	}
	for _, secret := range []string{string(testSecret), good.Get(headerGitHubSignature), bad.Get(headerGitHubSignature)} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs hold a secret or signature %q", secret)
		}
	}
}

func TestNormalizeGitHubErrors(t *testing.T) {
	tests := []struct {
		name, event, body, want string
	}{
		{"not JSON", "push", "nope", "malformed JSON"},
		{"no repository", "push", `{"ref":"refs/heads/x","after":"a"}`, "no repository"},
		{"repository without owner", "push", `{"ref":"refs/heads/x","after":"a","repository":{"name":"r"}}`, "no owner/name"},
		{"push without after", "push", `{"ref":"refs/heads/x","repository":{"full_name":"o/r"}}`, "lacks ref or after"},
		{"pr without head sha", "pull_request", `{"action":"opened","repository":{"full_name":"o/r"},"pull_request":{"number":1,"base":{"ref":"main"}}}`, "head.sha"},
		{"comment without comment", "issue_comment", `{"action":"created","repository":{"full_name":"o/r"}}`, "no issue or comment"},
		{"requested action without identifier", "check_run", `{"action":"requested_action","repository":{"full_name":"o/r"},"check_run":{"head_sha":"a"}}`, "without identifier"},
		{"suite without head sha", "check_suite", `{"action":"rerequested","repository":{"full_name":"o/r"},"check_suite":{}}`, "head_sha"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NormalizeGitHub(tt.event, "d", []byte(tt.body))
			var pe *PayloadError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want a PayloadError with %q", err, tt.want)
			}
		})
	}
}

func githubSeeds(f *testing.F) {
	events := map[string]string{
		"pull_request": "pull_request", "push": "push", "issue_comment": "issue_comment",
		"check_run": "check_run", "check_suite": "check_suite", "ping": "ping",
	}
	err := filepath.WalkDir(filepath.Join("testdata", "github-webhooks"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		ev := "pull_request"
		for dir, e := range events {
			if strings.Contains(path, dir) || strings.Contains(path, strings.ReplaceAll(dir, "_", "-")) {
				ev = e
			}
		}
		if strings.Contains(path, "comment") {
			ev = "issue_comment"
		}
		f.Add(ev, b)
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
}

func FuzzNormalizeGitHub(f *testing.F) {
	githubSeeds(f)
	f.Add("push", []byte(`{"ref":"refs/tags/x","after":"a","repository":{"full_name":"o/r"}}`))
	f.Add("pull_request", []byte(`{"action":"opened","repository":{"full_name":"o/r"},"pull_request":{"number":1,"head":{"sha":"a","repo":null},"base":{"ref":"m"}}}`))
	f.Fuzz(func(t *testing.T, event string, payload []byte) {
		ev, err := NormalizeGitHub(event, "d", payload)
		if err != nil {
			var ign *Ignored
			var pe *PayloadError
			if !errors.As(err, &ign) && !errors.As(err, &pe) {
				t.Fatalf("error of an unexpected type %T: %v", err, err)
			}
			return
		}
		if ev.Forge != bot.ForgeGitHub || ev.Kind == "" || ev.DeliveryID != "d" {
			t.Fatalf("incomplete event %+v", ev)
		}
		switch ev.Kind {
		case bot.KindPullRequest, bot.KindPullRequestClosed:
			if ev.PullRequest == nil || ev.PullRequest.HeadSHA == "" {
				t.Fatalf("pull request event without head: %+v", ev)
			}
		case bot.KindPush, bot.KindTagPush:
			if ev.Push == nil || (ev.Kind == bot.KindTagPush) != strings.HasPrefix(ev.Push.Ref, "refs/tags/") {
				t.Fatalf("push kind and ref disagree: %+v", ev)
			}
		case bot.KindComment:
			if ev.Comment == nil || ev.PullRequest == nil {
				t.Fatalf("comment without comment or PR: %+v", ev)
			}
		case bot.KindRerun, bot.KindRequestedAction:
			if ev.Check == nil || ev.Check.HeadSHA == "" {
				t.Fatalf("check event without head: %+v", ev)
			}
		}
	})
}
