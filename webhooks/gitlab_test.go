package webhooks

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
)

var (
	testToken = []byte("gitlab-secret-token")
	// A Standard Webhooks secret as GitLab shows it: whsec_ + base64 of
	// a 32-byte key.
	testSigningKey   = []byte("0123456789abcdef0123456789abcdef")
	testSigningToken = []byte("whsec_" + base64.StdEncoding.EncodeToString(testSigningKey))
	testNow          = time.Unix(1_790_000_000, 0)
)

func gitlabHeader(event, idem string, token []byte) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(headerGitLabEvent, event)
	if idem != "" {
		h.Set(headerIdempotencyKey, idem)
	}
	if token != nil {
		h.Set(headerGitLabToken, string(token))
	}
	return h
}

// signStandard adds Standard Webhooks headers signed with key at ts.
func signStandard(h http.Header, key []byte, id string, ts time.Time, body []byte) {
	t := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + t + "."))
	mac.Write(body)
	h.Set(headerWebhookID, id)
	h.Set(headerWebhookTimestamp, t)
	h.Set(headerWebhookSignature, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}

func gitlabServer(t *testing.T, cfg GitLabConfig) *httptest.Server {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return testNow }
	}
	srv := httptest.NewServer(NewGitLab(cfg))
	t.Cleanup(srv.Close)
	return srv
}

func TestGitLabNormalise(t *testing.T) {
	mr := readTestdata(t, "gitlab-webhooks/go-gitlab/merge_request.json")
	note := readTestdata(t, "gitlab-webhooks/go-gitlab/note_merge_request.json")
	tests := []struct {
		name, event string
		body        []byte
	}{
		{"mr-open", "Merge Request Hook", mr},
		{"mr-open-atlantis", "Merge Request Hook", readTestdata(t, "gitlab-webhooks/atlantis/gitlab-merge-request-event.json")},
		{"mr-open-go-playground", "Merge Request Hook", readTestdata(t, "gitlab-webhooks/go-playground/merge-request-event.json")},
		{"mr-update-new-commit", "Merge Request Hook", readTestdata(t, "gitlab-webhooks/atlantis/gitlab-merge-request-event-update-new-commit.json")},
		{"mr-merge", "Merge Request Hook", readTestdata(t, "gitlab-webhooks/drone-go-scm/pull_request_merge.json")},
		{"mr-reopen-derived", "Merge Request Hook", derive(t, mr, map[string]any{"object_attributes.action": "reopen"})},
		{"mr-close-derived", "Merge Request Hook", derive(t, mr, map[string]any{"object_attributes.action": "close", "object_attributes.state": "closed"})},
		{"mr-fork-draft-derived", "Merge Request Hook", derive(t, mr, map[string]any{
			"object_attributes.source_project_id": 99, "object_attributes.draft": true,
		})},
		{"note-mr", "Note Hook", note},
		{"note-mr-atlantis", "Note Hook", readTestdata(t, "gitlab-webhooks/atlantis/gitlab-merge-request-comment-event.json")},
		{"note-mr-go-playground", "Note Hook", readTestdata(t, "gitlab-webhooks/go-playground/comment-merge-request-event.json")},
		{"note-mr-discussion-bot-derived", "Note Hook", derive(t, note, map[string]any{
			"object_attributes.discussion_id": "6a9c1750b37d513a43987b574953fceb50b03ce7", "user.username": "project_5_bot_3f2a",
		})},
		{"push", "Push Hook", readTestdata(t, "gitlab-webhooks/go-gitlab/push.json")},
		{"push-go-playground", "Push Hook", readTestdata(t, "gitlab-webhooks/go-playground/push-event.json")},
		{"tag-push", "Tag Push Hook", readTestdata(t, "gitlab-webhooks/go-gitlab/tag_push.json")},
		{"tag-push-go-playground", "Tag Push Hook", readTestdata(t, "gitlab-webhooks/go-playground/tag-event.json")},
		{"subgroup-derived", "Push Hook", derive(t, readTestdata(t, "gitlab-webhooks/go-gitlab/push.json"), map[string]any{
			"project.path_with_namespace": "acme/mini/apps/shop",
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &fakeQueue{}
			srv := gitlabServer(t, GitLabConfig{Token: testToken, Enqueuer: q})
			status, body := post(t, http.MethodPost, srv.URL, gitlabHeader(tt.event, "idem-"+tt.name, testToken), bytes.NewReader(tt.body))
			if status != http.StatusAccepted || !strings.HasPrefix(body, "accepted ") {
				t.Fatalf("status %d %q, want 202 accepted", status, body)
			}
			evs, _ := q.snapshot()
			if len(evs) != 1 {
				t.Fatalf("enqueued %d events, want 1", len(evs))
			}
			checkGolden(t, "gitlab/"+tt.name, evs[0])
		})
	}
}

// TestGitLabKinds pins the decisions the golden files hold.
func TestGitLabKinds(t *testing.T) {
	mr := readTestdata(t, "gitlab-webhooks/go-gitlab/merge_request.json")
	tests := []struct {
		name, event string
		body        []byte
		check       func(t *testing.T, ev bot.Event)
	}{
		{"open", "Merge Request Hook", mr, func(t *testing.T, ev bot.Event) {
			if ev.Kind != bot.KindPullRequest || ev.PullRequest.Number != 1 || ev.PullRequest.Fork ||
				ev.Repo.Owner != "gitlabhq" || ev.Repo.Name != "gitlab-test" || ev.Repo.ID != 1 ||
				ev.CloneURL != "http://example.com/gitlabhq/gitlab-test.git" || ev.PullRequest.HeadSHA != "da1560886d4f094c3e6c9ef40349f7d38b5d27d7" {
				t.Errorf("%+v %+v", ev, ev.PullRequest)
			}
		}},
		{"fork", "Merge Request Hook", derive(t, mr, map[string]any{"object_attributes.source_project_id": 99}), func(t *testing.T, ev bot.Event) {
			if !ev.PullRequest.Fork {
				t.Errorf("%+v", ev.PullRequest)
			}
		}},
		{"merge", "Merge Request Hook", readTestdata(t, "gitlab-webhooks/drone-go-scm/pull_request_merge.json"), func(t *testing.T, ev bot.Event) {
			if ev.Kind != bot.KindPullRequestClosed || !ev.PullRequest.Merged || ev.PullRequest.MergeSHA != "78a76ee6b4992a6baf64c59fc4c44c7323d60438" {
				t.Errorf("%+v", ev.PullRequest)
			}
		}},
		{"update with new commit", "Merge Request Hook", readTestdata(t, "gitlab-webhooks/atlantis/gitlab-merge-request-event-update-new-commit.json"), func(t *testing.T, ev bot.Event) {
			if ev.Kind != bot.KindPullRequest || ev.Action != "update" {
				t.Errorf("%+v", ev)
			}
		}},
		{"note", "Note Hook", derive(t, readTestdata(t, "gitlab-webhooks/go-gitlab/note_merge_request.json"), map[string]any{"object_attributes.discussion_id": "disc1"}), func(t *testing.T, ev bot.Event) {
			if ev.Kind != bot.KindComment || ev.Comment.DiscussionID != "disc1" || ev.Comment.Body != "This MR needs work." ||
				ev.Comment.Author != "root" || ev.PullRequest.Number != 1 || ev.PullRequest.HeadSHA == "" {
				t.Errorf("%+v %+v", ev.Comment, ev.PullRequest)
			}
		}},
		{"subgroup owner", "Push Hook", derive(t, readTestdata(t, "gitlab-webhooks/go-gitlab/push.json"), map[string]any{"project.path_with_namespace": "a/b/c"}), func(t *testing.T, ev bot.Event) {
			if ev.Repo.Owner != "a/b" || ev.Repo.Name != "c" || ev.Kind != bot.KindPush || ev.Sender != "jsmith" {
				t.Errorf("%+v", ev)
			}
		}},
		{"project id from project_id", "Push Hook", readTestdata(t, "gitlab-webhooks/go-playground/push-event.json"), func(t *testing.T, ev bot.Event) {
			if ev.Repo.ID != 15 {
				t.Errorf("ID = %d, want 15 (project_id)", ev.Repo.ID)
			}
		}},
		// go-gitlab's fixture is an update whose changes swap the label API for
		// Platform: GitLab has no unlabeled action, the removal is in changes.
		{"labels taken off", "Merge Request Hook", derive(t, readTestdata(t, "gitlab-webhooks/go-gitlab/merge_request.json"), map[string]any{"object_attributes.action": "update",
			// labels are the request's after the update (the fixture's are before)
			"labels": []any{map[string]any{"title": "Platform"}}}), func(t *testing.T, ev bot.Event) {
			if ev.Kind != bot.KindPullRequestUnlabeled || ev.Label != "API" || ev.PullRequest == nil || slices.Contains(ev.PullRequest.Labels, "API") {
				t.Errorf("kind %q label %q pr %+v, want unlabeled API", ev.Kind, ev.Label, ev.PullRequest)
			}
		}},
		{"tag", "Tag Push Hook", readTestdata(t, "gitlab-webhooks/go-gitlab/tag_push.json"), func(t *testing.T, ev bot.Event) {
			if ev.Kind != bot.KindTagPush || ev.Push.Ref != "refs/tags/v1.0.0" {
				t.Errorf("%+v", ev)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := NormalizeGitLab(tt.event, "d", tt.body)
			if err != nil {
				t.Fatalf("NormalizeGitLab: %v", err)
			}
			tt.check(t, ev)
		})
	}
}

func TestGitLabIgnored(t *testing.T) {
	mr := readTestdata(t, "gitlab-webhooks/go-gitlab/merge_request.json")
	note := readTestdata(t, "gitlab-webhooks/go-gitlab/note_merge_request.json")
	push := readTestdata(t, "gitlab-webhooks/go-gitlab/push.json")
	tests := []struct {
		name, event string
		body        []byte
		reason      string
	}{
		{"pipeline", "Pipeline Hook", readTestdata(t, "gitlab-webhooks/go-gitlab/pipeline.json"), `event "Pipeline Hook"`},
		{"release", "Release Hook", readTestdata(t, "gitlab-webhooks/go-gitlab/release.json"), `event "Release Hook"`},
		{"unknown event", "Wiki Page Hook", []byte(`{}`), `event "Wiki Page Hook"`},
		{"group merge request without project id is still an MR", "Merge Request Hook", derive(t, readTestdata(t, "gitlab-webhooks/go-gitlab/group_merge_request.json"), map[string]any{"object_attributes.action": "approved"}), `action "approved"`},
		{"update without new commits", "Merge Request Hook", derive(t, mr, map[string]any{"object_attributes.action": "update", "changes": map[string]any{}}), "without new commits"},
		{"update adding labels only", "Merge Request Hook", derive(t, mr, map[string]any{"object_attributes.action": "update",
			"changes": map[string]any{"labels": map[string]any{"previous": []any{}, "current": []any{map[string]any{"title": "ui"}}}}}), "without new commits"},
		{"update with empty oldrev", "Merge Request Hook", derive(t, mr, map[string]any{"object_attributes.action": "update", "object_attributes.oldrev": "", "changes": map[string]any{}}), "without new commits"},
		{"note on an issue", "Note Hook", derive(t, note, map[string]any{"object_attributes.noteable_type": "Issue"}), `"Issue"`},
		{"note edited", "Note Hook", derive(t, note, map[string]any{"object_attributes.action": "update"}), `note action "update"`},
		// go-gitlab's fixture has keys with trailing spaces ("iid "): it
		// parses but lacks iid and target_branch.
		{"incomplete group merge request", "Merge Request Hook", readTestdata(t, "gitlab-webhooks/go-gitlab/group_merge_request.json"), "incomplete payload: merge request lacks iid"},
		{"project path without namespace", "Push Hook", derive(t, push, map[string]any{"project.path_with_namespace": "solo"}), "incomplete payload"},
		{"branch deleted", "Push Hook", derive(t, push, map[string]any{"after": zeroSHA}), "deleting refs/heads/master"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &fakeQueue{}
			srv := gitlabServer(t, GitLabConfig{Token: testToken, Enqueuer: q})
			status, body := post(t, http.MethodPost, srv.URL, gitlabHeader(tt.event, "i1", testToken), bytes.NewReader(tt.body))
			if status < 200 || status > 299 || !strings.HasPrefix(body, "ignored: ") || !strings.Contains(body, tt.reason) {
				t.Errorf("got %d %q, want 2xx ignored with %q", status, body, tt.reason)
			}
			if _, calls := q.snapshot(); calls != 0 {
				t.Errorf("Enqueue called %d times", calls)
			}
		})
	}
}

func TestGitLabHTTP(t *testing.T) {
	payload := readTestdata(t, "gitlab-webhooks/go-gitlab/merge_request.json")
	big := append(bytes.Repeat([]byte(" "), 2048), payload...)
	signed := func(key []byte, id string, ts time.Time, body []byte, token []byte) http.Header {
		h := gitlabHeader("Merge Request Hook", "", token)
		signStandard(h, key, id, ts, body)
		return h
	}
	twoSigs := signed(testSigningKey, "msg_1", testNow, payload, nil)
	twoSigs.Set(headerWebhookSignature, "v1,bm90IGl0 "+twoSigs.Get(headerWebhookSignature))
	v2Only := signed(testSigningKey, "msg_1", testNow, payload, nil)
	v2Only.Set(headerWebhookSignature, strings.Replace(v2Only.Get(headerWebhookSignature), "v1,", "v2,", 1))
	noSigHeaders := gitlabHeader("Merge Request Hook", "i1", nil)

	tests := []struct {
		name     string
		cfg      GitLabConfig
		method   string
		header   http.Header
		body     []byte
		chunked  bool
		status   int
		contains string
		enqueued int
	}{
		{"accepted", GitLabConfig{Token: testToken}, "POST", gitlabHeader("Merge Request Hook", "i1", testToken), payload, false, 202, "accepted pull_request", 1},
		{"wrong method", GitLabConfig{Token: testToken}, "PUT", gitlabHeader("Merge Request Hook", "i1", testToken), payload, false, 405, "method not allowed", 0},
		{"nothing configured", GitLabConfig{}, "POST", gitlabHeader("Merge Request Hook", "i1", testToken), payload, false, 503, "no GitLab webhook token", 0},
		{"bad token", GitLabConfig{Token: testToken}, "POST", gitlabHeader("Merge Request Hook", "i1", []byte("guess")), payload, false, 401, "token rejected", 0},
		{"missing token", GitLabConfig{Token: testToken}, "POST", gitlabHeader("Merge Request Hook", "i1", nil), payload, false, 401, "token rejected", 0},
		{"token prefix", GitLabConfig{Token: testToken}, "POST", gitlabHeader("Merge Request Hook", "i1", testToken[:5]), payload, false, 401, "token rejected", 0},
		{"bad token on an ignored event", GitLabConfig{Token: testToken}, "POST", gitlabHeader("Pipeline Hook", "i1", []byte("guess")), []byte(`{}`), false, 401, "token rejected", 0},
		{"oversized", GitLabConfig{Token: testToken, MaxBody: 1024}, "POST", gitlabHeader("Merge Request Hook", "i1", testToken), big, false, 413, "too large", 0},
		{"oversized chunked", GitLabConfig{Token: testToken, MaxBody: 1024}, "POST", gitlabHeader("Merge Request Hook", "i1", testToken), big, true, 413, "too large", 0},
		{"malformed JSON", GitLabConfig{Token: testToken}, "POST", gitlabHeader("Merge Request Hook", "i1", testToken), []byte(`{"object_kind":`), false, 400, "malformed JSON", 0},
		{"missing event", GitLabConfig{Token: testToken}, "POST", gitlabHeader("", "i1", testToken), payload, false, 400, "missing X-Gitlab-Event", 0},
		{"signed", GitLabConfig{SigningToken: testSigningToken}, "POST", signed(testSigningKey, "msg_1", testNow, payload, nil), payload, false, 202, "accepted", 1},
		{"signed with raw key", GitLabConfig{SigningToken: []byte("raw-key")}, "POST", signed([]byte("raw-key"), "msg_1", testNow, payload, nil), payload, false, 202, "accepted", 1},
		{"signed and token", GitLabConfig{Token: testToken, SigningToken: testSigningToken}, "POST", signed(testSigningKey, "msg_1", testNow, payload, testToken), payload, false, 202, "accepted", 1},
		{"signed but token wrong", GitLabConfig{Token: testToken, SigningToken: testSigningToken}, "POST", signed(testSigningKey, "msg_1", testNow, payload, []byte("x")), payload, false, 401, "token rejected", 0},
		{"token but unsigned", GitLabConfig{Token: testToken, SigningToken: testSigningToken}, "POST", gitlabHeader("Merge Request Hook", "i1", testToken), payload, false, 401, "signature rejected", 0},
		{"several signatures, one good", GitLabConfig{SigningToken: testSigningToken}, "POST", twoSigs, payload, false, 202, "accepted", 1},
		{"only an unknown version", GitLabConfig{SigningToken: testSigningToken}, "POST", v2Only, payload, false, 401, "signature rejected", 0},
		{"wrong key", GitLabConfig{SigningToken: testSigningToken}, "POST", signed([]byte("other"), "msg_1", testNow, payload, nil), payload, false, 401, "signature rejected", 0},
		{"stale timestamp", GitLabConfig{SigningToken: testSigningToken}, "POST", signed(testSigningKey, "msg_1", testNow.Add(-6*time.Minute), payload, nil), payload, false, 401, "signature rejected", 0},
		{"future timestamp", GitLabConfig{SigningToken: testSigningToken}, "POST", signed(testSigningKey, "msg_1", testNow.Add(6*time.Minute), payload, nil), payload, false, 401, "signature rejected", 0},
		{"within tolerance", GitLabConfig{SigningToken: testSigningToken}, "POST", signed(testSigningKey, "msg_1", testNow.Add(-4*time.Minute), payload, nil), payload, false, 202, "accepted", 1},
		{"no signature headers", GitLabConfig{SigningToken: testSigningToken}, "POST", noSigHeaders, payload, false, 401, "signature rejected", 0},
		{"tampered body", GitLabConfig{SigningToken: testSigningToken}, "POST", signed(testSigningKey, "msg_1", testNow, payload, nil), append([]byte(" "), payload...), false, 401, "signature rejected", 0},
		{"signed chunked", GitLabConfig{SigningToken: testSigningToken}, "POST", signed(testSigningKey, "msg_1", testNow, payload, nil), payload, true, 202, "accepted", 1},
		{"idempotency key too long", GitLabConfig{Token: testToken}, "POST", gitlabHeader("Merge Request Hook", strings.Repeat("i", 201), testToken), payload, false, 400, "longer than 200 bytes", 0},
		{"webhook-id too long", GitLabConfig{SigningToken: testSigningToken}, "POST", signed(testSigningKey, strings.Repeat("m", 201), testNow, payload, nil), payload, false, 401, "signature rejected", 0},
		{"bad whsec token", GitLabConfig{SigningToken: []byte("whsec_!!!")}, "POST", signed(testSigningKey, "msg_1", testNow, payload, nil), payload, false, 503, "signing token unusable", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &fakeQueue{}
			tt.cfg.Enqueuer = q
			srv := gitlabServer(t, tt.cfg)
			var body io.Reader = bytes.NewReader(tt.body)
			if tt.chunked {
				body = io.MultiReader(body)
			}
			status, resp := post(t, tt.method, srv.URL, tt.header, body)
			if status != tt.status || !strings.Contains(resp, tt.contains) {
				t.Errorf("got %d %q, want %d containing %q", status, resp, tt.status, tt.contains)
			}
			if _, calls := q.snapshot(); calls != tt.enqueued {
				t.Errorf("Enqueue called %d times, want %d", calls, tt.enqueued)
			}
		})
	}
}

func TestGitLabEnqueueOutcome(t *testing.T) {
	payload := readTestdata(t, "gitlab-webhooks/go-gitlab/push.json")
	tests := []struct {
		name     string
		q        *fakeQueue
		status   int
		contains string
	}{
		{"enqueue fails", &fakeQueue{err: errQueueDown}, 500, "could not enqueue"},
		{"duplicate", &fakeQueue{dup: true}, 200, "duplicate"},
		{"stored", &fakeQueue{}, 202, "accepted push"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := gitlabServer(t, GitLabConfig{Token: testToken, Enqueuer: tt.q})
			status, body := post(t, "POST", srv.URL, gitlabHeader("Push Hook", "i1", testToken), bytes.NewReader(payload))
			if status != tt.status || !strings.Contains(body, tt.contains) {
				t.Errorf("got %d %q, want %d %q", status, body, tt.status, tt.contains)
			}
		})
	}
}

func TestGitLabDeliveryID(t *testing.T) {
	payload := readTestdata(t, "gitlab-webhooks/go-gitlab/push.json")
	sum := sha256.Sum256(payload)
	tests := []struct {
		name    string
		headers map[string]string
		want    string
	}{
		{"idempotency key first", map[string]string{headerIdempotencyKey: "idem", headerWebhookID: "wid", headerGitLabWebhookUUID: "hook", headerGitLabEventUUID: "ev"}, "idem"},
		{"webhook-id next", map[string]string{headerWebhookID: "wid", headerGitLabWebhookUUID: "hook", headerGitLabEventUUID: "ev"}, "wid"},
		{"webhook and event UUID", map[string]string{headerGitLabWebhookUUID: "hook", headerGitLabEventUUID: "ev"}, "hook/ev"},
		{"webhook UUID alone", map[string]string{headerGitLabWebhookUUID: "hook"}, "hook"},
		{"event UUID alone", map[string]string{headerGitLabEventUUID: "ev"}, "ev"},
		{"body hash last", nil, "sha256:" + hex.EncodeToString(sum[:])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &fakeQueue{}
			srv := gitlabServer(t, GitLabConfig{Token: testToken, Enqueuer: q})
			h := gitlabHeader("Push Hook", "", testToken)
			for k, v := range tt.headers {
				h.Set(k, v)
			}
			status, body := post(t, "POST", srv.URL, h, bytes.NewReader(payload))
			if status != http.StatusAccepted {
				t.Fatalf("status %d %q", status, body)
			}
			evs, _ := q.snapshot()
			if len(evs) != 1 || evs[0].DeliveryID != tt.want {
				t.Errorf("delivery ids %+v, want %q", evs, tt.want)
			}
		})
	}
}

func TestGitLabLogs(t *testing.T) {
	var buf syncBuffer
	payload := readTestdata(t, "gitlab-webhooks/go-gitlab/push.json")
	srv := gitlabServer(t, GitLabConfig{Token: testToken, SigningToken: testSigningToken, Enqueuer: &fakeQueue{}, Logger: jsonLogger(&buf)})
	good := gitlabHeader("Push Hook", "idem-1", testToken)
	signStandard(good, testSigningKey, "idem-1", testNow, payload)
	badToken := gitlabHeader("Push Hook", "idem-2", []byte("guessed-token"))
	badSig := gitlabHeader("Push Hook", "idem-3", testToken)
	signStandard(badSig, []byte("wrong"), "idem-3", testNow, payload)
	for _, h := range []http.Header{good, badToken, badSig} {
		post(t, "POST", srv.URL, h, bytes.NewReader(payload))
	}
	logs := buf.String()
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 log lines, got %d:\n%s", len(lines), logs)
	}
	for i, line := range lines {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			for _, key := range []string{`"delivery":"idem-`, `"repo":`, `"forge":"gitlab"`, `"status":`} {
				if !strings.Contains(line, key) {
					t.Errorf("line lacks %s: %s", key, line)
				}
			}
		})
	}
	if !strings.Contains(lines[0], `"repo":"mike/diaspora"`) {
		t.Errorf("accepted line lacks the repository: %s", lines[0])
	}
	for _, secret := range []string{string(testToken), "guessed-token", string(testSigningToken), good.Get(headerWebhookSignature), badSig.Get(headerWebhookSignature)} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs hold a secret or signature %q", secret)
		}
	}
}

func TestNormalizeGitLabErrors(t *testing.T) {
	tests := []struct {
		name, event, body, want string
	}{
		{"not JSON", "Push Hook", "nope", "malformed JSON"},
		{"no project", "Push Hook", `{"ref":"refs/heads/x","after":"a"}`, "no project.path_with_namespace"},
		{"project without namespace", "Push Hook", `{"project":{"path_with_namespace":"solo"},"ref":"r","after":"a"}`, "not namespace/name"},
		{"push without ref", "Push Hook", `{"project":{"path_with_namespace":"a/b"},"after":"a"}`, "lacks ref or after"},
		{"MR without attributes", "Merge Request Hook", `{"project":{"path_with_namespace":"a/b"}}`, "no object_attributes"},
		{"MR attributes not an object", "Merge Request Hook", `{"project":{"path_with_namespace":"a/b"},"object_attributes":[1]}`, "object_attributes"},
		{"MR without last commit", "Merge Request Hook", `{"project":{"path_with_namespace":"a/b"},"object_attributes":{"action":"open","iid":1,"target_branch":"m"}}`, "last_commit"},
		{"note without MR", "Note Hook", `{"project":{"path_with_namespace":"a/b"},"object_attributes":{"noteable_type":"MergeRequest"}}`, "without merge_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NormalizeGitLab(tt.event, "d", []byte(tt.body))
			var pe *PayloadError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want a PayloadError with %q", err, tt.want)
			}
		})
	}
}

func TestGitLabIsBot(t *testing.T) {
	tests := []struct {
		user string
		want bool
	}{
		{"project_5_bot_3f2a", true},
		{"project_123_bot", true},
		{"group_7_bot_ab12", true},
		{"project_bot", false},
		{"project_x_bot_1", false},
		{"project_5_bottle", false},
		{"project_5_bot_", false},
		{"jsmith", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			if got := glIsBot(tt.user); got != tt.want {
				t.Errorf("glIsBot(%q) = %v, want %v", tt.user, got, tt.want)
			}
		})
	}
}

func FuzzNormalizeGitLab(f *testing.F) {
	hooks := map[string]string{
		"merge": "Merge Request Hook", "note": "Note Hook", "comment": "Note Hook",
		"tag": "Tag Push Hook", "push": "Push Hook", "pipeline": "Pipeline Hook", "release": "Release Hook",
	}
	err := filepath.WalkDir(filepath.Join("testdata", "gitlab-webhooks"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		base := filepath.Base(path)
		ev := "Push Hook"
		for _, k := range []string{"merge", "push", "tag", "note", "comment", "pipeline", "release"} {
			if strings.Contains(base, k) {
				ev = hooks[k]
			}
		}
		f.Add(ev, b)
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, event string, payload []byte) {
		ev, err := NormalizeGitLab(event, "d", payload)
		if err != nil {
			var ign *Ignored
			var pe *PayloadError
			if !errors.As(err, &ign) && !errors.As(err, &pe) {
				t.Fatalf("error of an unexpected type %T: %v", err, err)
			}
			return
		}
		if ev.Forge != bot.ForgeGitLab || ev.Kind == "" || ev.Repo.Owner == "" || ev.Repo.Name == "" || strings.Contains(ev.Repo.Name, "/") {
			t.Fatalf("incomplete event %+v", ev)
		}
		switch ev.Kind {
		case bot.KindPullRequest, bot.KindPullRequestClosed, bot.KindComment:
			if ev.PullRequest == nil || ev.PullRequest.HeadSHA == "" || ev.PullRequest.Number <= 0 {
				t.Fatalf("request event without head: %+v", ev)
			}
		case bot.KindPush, bot.KindTagPush:
			if ev.Push == nil || ev.Push.After == "" || ev.Push.After == zeroSHA {
				t.Fatalf("push without after: %+v", ev)
			}
		default:
			t.Fatalf("unexpected kind %q", ev.Kind)
		}
	})
}

func FuzzVerifyStandardSignature(f *testing.F) {
	f.Add("msg_1", strconv.FormatInt(testNow.Unix(), 10), "v1,AAAA v1,bm90", []byte(`{}`))
	f.Add("", "", "", []byte(nil))
	f.Add("x", "-9223372036854775808", "v1,", []byte("a"))
	f.Add("x", "9223372036854775807", "v1 ,,, v1,=", []byte("a"))
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		h := http.Header{}
		h.Set(headerWebhookID, id)
		h.Set(headerWebhookTimestamp, ts)
		h.Set(headerWebhookSignature, sig)
		// Random signatures must not verify (and must not panic).
		if err := verifyStandardSignature(testSigningKey, h, body, testNow); err == nil {
			t.Fatalf("random signature %q verified", sig)
		}
		// A real signature over the same id and body does, whenever the
		// id survives as a header value.
		if id == "" || strings.TrimSpace(id) != id || strings.ContainsAny(id, "\r\n\x00") {
			return
		}
		good := http.Header{}
		signStandard(good, testSigningKey, id, testNow, body)
		if good.Get(headerWebhookID) != id {
			return
		}
		err := verifyStandardSignature(testSigningKey, good, body, testNow)
		if len(id) > maxDeliveryID {
			// Ids are capped before anything is stored under them: even a
			// genuine signature over a longer one is refused.
			if err == nil {
				t.Fatalf("a genuine signature over a %d-byte webhook-id verified (at most %d)", len(id), maxDeliveryID)
			}
			return
		}
		if err != nil {
			t.Fatalf("genuine signature rejected: %v", err)
		}
	})
}

func TestNoQueueConfigured(t *testing.T) {
	gh := readTestdata(t, "github-webhooks/octokit/pull_request/opened.payload.json")
	gl := readTestdata(t, "gitlab-webhooks/go-gitlab/push.json")
	tests := []struct {
		name   string
		srv    *httptest.Server
		header http.Header
		body   []byte
	}{
		{"github", githubServer(t, GitHubConfig{Secret: testSecret}), githubHeader("pull_request", "d1", testSecret, gh), gh},
		{"gitlab", gitlabServer(t, GitLabConfig{Token: testToken}), gitlabHeader("Push Hook", "i1", testToken), gl},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := post(t, "POST", tt.srv.URL, tt.header, bytes.NewReader(tt.body))
			if status != http.StatusServiceUnavailable || !strings.Contains(body, "no queue") {
				t.Errorf("got %d %q, want 503 no queue", status, body)
			}
		})
	}
}
