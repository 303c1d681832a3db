package release

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/mpgate/mpgate/checks/config"
)

// remotePusher pushes to a real bare repository, like the CI checkout's
// origin; refuse makes the next push fail as a moved branch would.
type remotePusher struct {
	r      *repo
	url    string
	refuse bool
	pushes []string
}

func (p *remotePusher) Push(ctx context.Context, o PushOptions, refspecs ...string) error {
	args := []string{"push", "--quiet"}
	if o.Atomic {
		args = append(args, "--atomic")
	}
	if o.Force {
		args = append(args, "--force")
	}
	p.pushes = append(p.pushes, strings.Join(append(args[2:], refspecs...), " "))
	if p.refuse {
		p.refuse = false
		return errors.New("! [rejected] main (fetch first)")
	}
	_, err := runGit(ctx, p.r.dir, nil, nil, append(append(args, p.url), refspecs...)...)
	return err
}

// recordingForge is the forge side: the real GitHub and GitLab publishers
// are tested against the fake forges in their packages and in cmd/mpgate.
type recordingForge struct {
	mu       sync.Mutex
	releases map[string]string // tag → notes
	requests []ReleaseRequest
	fail     error
}

func (f *recordingForge) Name() string { return "Forge" }

func (f *recordingForge) CreateRelease(_ context.Context, t AppliedTag) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return false, f.fail
	}
	if _, ok := f.releases[t.Name]; ok {
		return false, nil
	}
	f.releases[t.Name] = t.Notes
	return true, nil
}

func (f *recordingForge) UpsertRequest(_ context.Context, r ReleaseRequest) (int, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r)
	return 1, len(f.requests) == 1, nil
}

func withRemote(t *testing.T, r *repo) (bare string) {
	t.Helper()
	bare = t.TempDir()
	r.git("init", "-q", "--bare", bare)
	r.git("remote", "add", "origin", bare)
	r.git("push", "-q", "origin", "main", "--tags")
	return bare
}

func remoteGit(t *testing.T, bare string, args ...string) string {
	t.Helper()
	out, err := runGit(context.Background(), bare, nil, nil, args...)
	if err != nil {
		t.Fatalf("git %v in the remote: %v", args, err)
	}
	return strings.TrimSpace(out)
}

func TestPublishDirect(t *testing.T) {
	ctx := context.Background()
	r := history(t)
	bare := withRemote(t, r)
	push := &remotePusher{r: r, url: bare}
	forge := &recordingForge{releases: map[string]string{}}
	cfg := config.Default()
	opts := PublishOptions{Branch: "main", Plan: PlanOptions{Date: testDate}}

	// A refused push (the branch moved) publishes nothing and leaves no
	// local tag behind that the next plan would take for a release.
	push.refuse = true
	out, err := Publish(ctx, r.dir, cfg, push, forge, opts)
	if !errors.Is(err, ErrPush) {
		t.Fatalf("refused push: err = %v", err)
	}
	if out.Applied == nil || out.Applied.Commit == "" || len(forge.releases) != 0 {
		t.Errorf("refused push: applied %+v, releases %v", out.Applied, forge.releases)
	}
	if tags := r.git("tag", "--list", "--sort=refname"); tags != "app@v0.1.0\npackagePay@v1.2.0" {
		t.Errorf("local tags after a refused push = %q", tags)
	}
	if want := "--atomic " + out.Applied.Commit + ":refs/heads/main refs/tags/app@v0.2.0 refs/tags/packagePay@v1.3.0"; push.pushes[0] != want {
		t.Errorf("push = %q, want %q", push.pushes[0], want)
	}

	// The job runs again on the branch's head (here: the same commit).
	r.git("reset", "-q", "--hard", "origin/main")
	out, err = Publish(ctx, r.dir, cfg, push, forge, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := remoteGit(t, bare, "tag", "--list", "--sort=refname"); got != "app@v0.1.0\napp@v0.2.0\npackagePay@v1.2.0\npackagePay@v1.3.0" {
		t.Errorf("remote tags = %q", got)
	}
	if head := remoteGit(t, bare, "rev-parse", "main"); head != out.Applied.Commit {
		t.Errorf("remote main = %s, want the release commit %s", head, out.Applied.Commit)
	}
	if len(out.Releases) != 2 || !out.Releases[0].Created || !strings.Contains(forge.releases["packagePay@v1.3.0"], "stored cards") {
		t.Errorf("releases %+v, notes %v", out.Releases, forge.releases)
	}
	// Idempotent: once released, nothing to do.
	out, err = Publish(ctx, r.dir, cfg, push, forge, opts)
	if err != nil || !out.Nothing() {
		t.Errorf("second run: %+v, %v", out, err)
	}
}

func TestPublishReleaseRequest(t *testing.T) {
	ctx := context.Background()
	r := history(t)
	bare := withRemote(t, r)
	push := &remotePusher{r: r, url: bare}
	forge := &recordingForge{releases: map[string]string{}}
	cfg := config.Default()
	opts := PublishOptions{Branch: "main", ReleaseRequest: true, Plan: PlanOptions{Date: testDate}}
	head := r.git("rev-parse", "HEAD")

	out, err := Publish(ctx, r.dir, cfg, push, forge, opts)
	if err != nil {
		t.Fatal(err)
	}
	if out.Request != 1 || !out.RequestCreated || len(out.Tagged) != 0 {
		t.Errorf("published %+v", out)
	}
	if len(forge.requests) != 1 || forge.requests[0].Head != RequestBranch || forge.requests[0].Base != "main" ||
		!strings.HasPrefix(forge.requests[0].Title, "chore(release): ") || !strings.Contains(forge.requests[0].Body, "stored cards") {
		t.Fatalf("requests %+v", forge.requests)
	}
	if b := r.git("symbolic-ref", "--short", "HEAD"); b != "main" || r.git("rev-parse", "HEAD") != head {
		t.Errorf("the work tree was left on %s", b)
	}
	if r.git("branch", "--list", RequestBranch) != "" || r.git("tag", "--list", "--sort=refname") != "app@v0.1.0\npackagePay@v1.2.0" {
		t.Error("the release request flow left a local branch or tags")
	}
	rel := remoteGit(t, bare, "rev-parse", RequestBranch)
	if parent := remoteGit(t, bare, "rev-parse", RequestBranch+"^"); parent != head || rel != out.Applied.Commit {
		t.Errorf("%s = %s on %s; want the release commit on %s", RequestBranch, rel, parent, head)
	}

	// The request merges (fast-forward). The next push tags it and
	// publishes the releases; nothing else is pending.
	r.git("fetch", "-q", "origin")
	r.git("merge", "-q", "--ff-only", "origin/"+RequestBranch)
	r.git("push", "-q", "origin", "main")
	out, err = Publish(ctx, r.dir, cfg, push, forge, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tagged) != 2 || out.Request != 0 || len(forge.requests) != 1 {
		t.Errorf("after the merge: %+v, requests %d", out, len(forge.requests))
	}
	if got := remoteGit(t, bare, "tag", "--points-at", rel); got != "app@v0.2.0\npackagePay@v1.3.0" {
		t.Errorf("tags on the merged release = %q", got)
	}
	if len(forge.releases) != 2 {
		t.Errorf("releases %v", forge.releases)
	}

	// A forge that fails after the tags are pushed: ErrForge, and the next
	// run creates what is missing (a release that exists is no error).
	r.touch("fix: refunds (#20)", "packagePay/pages/pay/pay.js")
	r.git("push", "-q", "origin", "main")
	r.git("fetch", "-q", "origin")
	r.git("merge", "-q", "--ff-only", "origin/main")
	if _, err := Publish(ctx, r.dir, cfg, push, forge, opts); err != nil {
		t.Fatal(err)
	}
	r.git("fetch", "-q", "origin")
	r.git("merge", "-q", "--ff-only", "origin/"+RequestBranch)
	r.git("push", "-q", "origin", "main")
	forge.fail = errors.New("502 Bad Gateway")
	if _, err := Publish(ctx, r.dir, cfg, push, forge, opts); !errors.Is(err, ErrForge) {
		t.Fatalf("failing forge: err = %v", err)
	}
	forge.fail = nil
	if got := remoteGit(t, bare, "tag", "--list", "packagePay@v1.3.1"); got != "packagePay@v1.3.1" {
		t.Errorf("the tag was not pushed before the forge failed: %q", got)
	}
	r.git("tag", "-d", "packagePay@v1.3.1") // a fresh checkout of the next job
	r.git("fetch", "-q", "--tags", "origin")
	out, err = Publish(ctx, r.dir, cfg, push, forge, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := forge.releases["packagePay@v1.3.1"]; !ok {
		t.Errorf("the missing release was not created: %+v", out)
	}
}
