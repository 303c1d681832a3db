package main

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/bot/gitlab"
	"github.com/mpgate/mpgate/internal/fakegitlab"
)

// TestServeGitLabOkToBuildLabelPersists is TestServeOkToBuildLabelPersists
// on GitLab: /ok-to-build on a fork's merge request puts the label on it
// (add_labels, through the fake's checked API); while it is on, the
// untrusted author's later pushes are built without a new command; once a
// maintainer takes it off (an update hook whose changes remove it), the
// next push waits again.
func TestServeGitLabOkToBuildLabelPersists(t *testing.T) {
	const (
		label      = "mpgate:ok-to-build"
		malloryID  = 77
		forkProjID = 4242
	)
	sb := &passWrapper{}
	f := newServeGitLabFake(t)
	f.AddUser(malloryID, "mallory", false)
	s := newGitLabTestServer(t, glServerOpts{fake: f, sandbox: sb})
	dir, base, head1 := miniRepo(t, 0)
	f.SetFile(sgProjID, "HEAD", ".mpgate.yml", []byte("projects:\n  - name: app\n    root: .\n    build: \"true\"\n"))

	setFork := func(head string) {
		mr := fakegitlab.MergeRequest{IID: 9, Title: "feat: pages", State: "opened", SourceBranch: "changes", TargetBranch: "main",
			SHA: head, BaseSHA: base, Author: malloryID, SourceProjectID: forkProjID}
		if cur, ok := f.MergeRequests(sgProjID)[9]; ok {
			mr.Labels = cur.Labels
		}
		f.SetMergeRequest(sgProjID, mr)
	}
	// hook is the Merge Request Hook of the fork's request with the labels
	// it carries now; removed are labels the update took off.
	hook := func(action, head, oldrev string, removed ...string) []byte {
		return glPayload(t, "gitlab-merge-request-event.json", dir, "mallory", func(m map[string]any) {
			oa := obj(m, "object_attributes")
			setMR(oa, 9, head)
			oa["source_project_id"], oa["action"] = forkProjID, action
			if oldrev != "" {
				oa["oldrev"] = oldrev
			}
			var ls []any
			for _, l := range f.MergeRequests(sgProjID)[9].Labels {
				ls = append(ls, map[string]any{"title": l})
			}
			m["labels"] = ls
			if len(removed) > 0 {
				var prev []any
				for _, l := range removed {
					prev = append(prev, map[string]any{"title": l})
				}
				m["changes"] = map[string]any{"labels": map[string]any{"previous": prev, "current": ls}}
			}
		})
	}
	deliver := func(event, key string, body []byte) {
		t.Helper()
		if code := s.deliver(event, key, sgSecret, body); code != http.StatusAccepted {
			t.Fatalf("%s %s answered %d", event, key, code)
		}
	}
	push := func(key, msg, prev string) string {
		t.Helper()
		gitRun(t, dir, "commit", "-q", "--allow-empty", "-m", msg)
		head := gitRun(t, dir, "rev-parse", "HEAD")
		setFork(head)
		deliver("Merge Request Hook", key, hook("update", head, prev))
		waitFor(t, "the status of "+msg, func() bool { return s.final(head) != nil })
		return head
	}

	setFork(head1)
	deliver("Merge Request Hook", "gl-l-1", hook("open", head1, ""))
	waitFor(t, "the waiting status", func() bool { return s.final(head1) != nil })
	if st := s.final(head1); st.State != gitlab.StateFailed || !strings.Contains(st.Description, "ok-to-build") {
		t.Fatalf("fork's first status %s %q, want failed waiting for /ok-to-build", st.State, st.Description)
	}

	// A Developer approves: built, and the request labelled.
	id := f.AddNote(sgProjID, 9, sgAliceID, "/ok-to-build")
	deliver("Note Hook", "gl-l-2", notePayload(t, dir, 9, head1, id, "alice", "/ok-to-build"))
	waitFor(t, "the approved build", func() bool { st := s.final(head1); return st != nil && st.State == gitlab.StateSuccess })
	if ls := f.MergeRequests(sgProjID)[9].Labels; !slices.Equal(ls, []string{label}) {
		t.Fatalf("labels after /ok-to-build: %v, want [%s]", ls, label)
	}
	builds := sb.used.Load()

	// The author pushes again: built while the label is on.
	head2 := push("gl-l-3", "second", head1)
	if st := s.final(head2); st.State != gitlab.StateSuccess {
		t.Errorf("push with the label on: %s %q, want success without a new /ok-to-build", st.State, st.Description)
	}
	if sb.used.Load() <= builds {
		t.Error("the second push was not built in the sandbox")
	}

	// A maintainer takes the label off (an update hook without new
	// commits whose changes remove it), then puts it back by hand before
	// the next push: not an approval.
	mr := f.MergeRequests(sgProjID)[9]
	mr.Labels = nil
	f.SetMergeRequest(sgProjID, mr)
	deliver("Merge Request Hook", "gl-l-4u", hook("update", head2, "", label))
	waitFor(t, "the grant revoked", func() bool { return strings.Contains(s.logs.String(), "the grant is revoked") })
	mr.Labels = []string{label}
	f.SetMergeRequest(sgProjID, mr)
	builds = sb.used.Load()
	head3 := push("gl-l-4", "third", head2)
	if st := s.final(head3); st.State != gitlab.StateFailed || !strings.Contains(st.Description, "ok-to-build") {
		t.Errorf("push after the label was taken off: %s %q, want waiting for /ok-to-build", st.State, st.Description)
	}
	if sb.used.Load() != builds {
		t.Error("a hand-made label got an untrusted push built")
	}
}
