package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/internal/fakegithub"
)

// prPayloadLabels is prPayload with the pull request's labels as GitHub
// sends them (the fake's labels of the request at delivery time).
func prPayloadLabels(t *testing.T, action, cloneURL string, number int, base, head, headRepo, author string, labels []string) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(prPayload(t, action, cloneURL, number, base, head, headRepo, author), &m); err != nil {
		t.Fatal(err)
	}
	ls := []any{}
	for i, name := range labels {
		ls = append(ls, map[string]any{"id": 1000 + i, "node_id": "LA_x", "url": "https://api.github.com/labels/x",
			"name": name, "color": "ededed", "default": false, "description": nil})
	}
	obj(m, "pull_request")["labels"] = ls
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// unlabeledPayload is pull_request "unlabeled": label was removed from
// request 9 (head head).
func unlabeledPayload(t *testing.T, dir, head, base, label string) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(prPayloadLabels(t, "unlabeled", dir, 9, base, head, "mallory/shop", "mallory", nil), &m); err != nil {
		t.Fatal(err)
	}
	m["label"] = map[string]any{"id": 1000, "node_id": "LA_x", "url": "https://api.github.com/labels/x", "name": label,
		"color": "ededed", "default": false, "description": nil}
	obj(m, "sender")["login"] = "maintainer"
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// /ok-to-build on a fork's request labels it (through the label endpoint of
// GitHub's REST description); while the label is on, the untrusted author's
// later pushes are built without a new command; once a maintainer removes
// it, the next push waits again, and the label put back by hand (triage
// access suffices) does not restore the approval.
func TestServeOkToBuildLabelPersists(t *testing.T) {
	const label = "mpgate:ok-to-build"
	sb := &passWrapper{}
	s := newTestServer(t, serverOpts{sandbox: sb})
	dir, base, head1 := miniRepo(t, 0)
	s.fake.SetContent(srvRepo, "", ".mpgate.yml", []byte("projects:\n  - name: app\n    root: .\n    build: \"true\"\n"))
	s.fake.SetPermission(srvRepo, "mallory", "read", "")
	s.fake.SetPermission(srvRepo, "maintainer", "write", "")
	s.fake.SetPermission(srvRepo, "triager", "triage", "")

	latest := func(sha string) fakegithub.CheckRun {
		var last fakegithub.CheckRun
		for _, r := range completedRuns(s.fake, sha) {
			if r.ID > last.ID {
				last = r
			}
		}
		return last
	}
	push := func(id, msg string) string {
		t.Helper()
		gitRun(t, dir, "commit", "-q", "--allow-empty", "-m", msg)
		head := gitRun(t, dir, "rev-parse", "HEAD")
		setPull(s.fake, 9, base, head, "mallory/shop")
		s.deliver("pull_request", id, prPayloadLabels(t, "synchronize", dir, 9, base, head, "mallory/shop", "mallory", s.fake.Labels(srvRepo, 9)))
		waitFor(t, "the check run of "+msg, func() bool { return len(completedRuns(s.fake, head)) >= 1 })
		return head
	}

	setPull(s.fake, 9, base, head1, "mallory/shop")
	s.deliver("pull_request", "l-1", prPayloadLabels(t, "opened", dir, 9, base, head1, "mallory/shop", "mallory", nil))
	waitFor(t, "the waiting check run", func() bool { return len(completedRuns(s.fake, head1)) == 1 })
	if r := latest(head1); r.Conclusion != "action_required" {
		t.Fatalf("fork's first check run %q %q", r.Conclusion, r.Title)
	}

	// A maintainer approves with the prefixed command: the request is built
	// and labelled.
	const cmd = "Reviewed the build script.\n/mpgate ok-to-build"
	id := s.fake.AddComment(srvRepo, 9, "maintainer", cmd)
	s.deliver("issue_comment", "l-2", commentPayload(t, dir, 9, id, "maintainer", cmd))
	waitFor(t, "the approved build", func() bool { return latest(head1).Conclusion == "success" })
	if ls := s.fake.Labels(srvRepo, 9); len(ls) != 1 || ls[0] != label {
		t.Fatalf("labels after /ok-to-build: %v, want [%s]", ls, label)
	}
	if n := s.fake.Count("issues/add-labels"); n != 1 {
		t.Errorf("issues/add-labels called %d times, want 1", n)
	}
	builds := sb.used.Load()

	// The author pushes again: built while the label is on.
	head2 := push("l-3", "second")
	if r := latest(head2); r.Conclusion != "success" {
		t.Errorf("push with the label on: %q %q, want success without a new /ok-to-build", r.Conclusion, r.Title)
	}
	if sb.used.Load() <= builds {
		t.Error("the second push was not built in the sandbox")
	}

	// A maintainer removes the label (GitHub sends pull_request
	// "unlabeled"): the next push waits again.
	s.fake.SetLabels(srvRepo, 9)
	unlabeled := unlabeledPayload(t, dir, head2, base, label)
	s.deliver("pull_request", "l-4u", unlabeled)
	head3 := push("l-4", "third")
	if r := latest(head3); r.Conclusion != "action_required" || !strings.Contains(r.Title, "ok-to-build") {
		t.Errorf("push after the label was removed: %q %q, want action_required", r.Conclusion, r.Title)
	}

	// Someone with triage access puts the label back by hand: not an
	// approval.
	s.fake.SetLabels(srvRepo, 9, label)
	builds = sb.used.Load()
	head4 := push("l-5", "fourth")
	if r := latest(head4); r.Conclusion != "action_required" {
		t.Errorf("push with a hand-made label: %q %q, want action_required", r.Conclusion, r.Title)
	}
	if sb.used.Load() != builds {
		t.Error("a hand-made label got an untrusted push built")
	}
}
