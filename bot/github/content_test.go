package github

import (
	"context"
	"errors"
	"testing"
)

const sha40 = "0123456789abcdef0123456789abcdef01234567"

func TestFileContent(t *testing.T) {
	tests := []struct {
		name, path, ref string
		want            string
		err             error
	}{
		{"default branch", ".mpgate.yml", "", "projects: []\n", nil},
		{"named branch", ".mpgate.yml", "release", "gates: {}\n", nil},
		{"nested path", "packagePay/CHANGELOG.md", "", "# payment\n", nil},
		{"missing", "nope.yml", "", "", ErrNotFound},
		{"missing on a branch", "packagePay/CHANGELOG.md", "release", "", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := setup(t)
			f.SetContent(repo.FullName(), "", ".mpgate.yml", []byte("projects: []\n"))
			f.SetContent(repo.FullName(), "release", ".mpgate.yml", []byte("gates: {}\n"))
			f.SetContent(repo.FullName(), "", "packagePay/CHANGELOG.md", []byte("# payment\n"))
			got, sha, err := c.FileContent(context.Background(), repo, tt.path, tt.ref)
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if string(got) != tt.want || (tt.err == nil && len(sha) != 40) {
				t.Errorf("%q sha %q", got, sha)
			}
		})
	}
}

func TestPutFileRoundTrip(t *testing.T) {
	f, c := setup(t)
	ctx := context.Background()
	path := "packagePay/CHANGELOG.md"
	commit, err := c.PutFile(ctx, repo, "release/payment", path, "docs(payment): changelog for v1.2.0", []byte("# payment\n\n## 1.2.0\n"), "")
	if err != nil || len(commit) != 40 {
		t.Fatalf("create: %q %v", commit, err)
	}
	data, sha, err := c.FileContent(ctx, repo, path, "release/payment")
	if err != nil || string(data) != "# payment\n\n## 1.2.0\n" {
		t.Fatalf("read back: %q %v", data, err)
	}
	if _, err := c.PutFile(ctx, repo, "release/payment", path, "update", []byte("# payment\n\n## 1.2.1\n"), sha); err != nil {
		t.Fatalf("update: %v", err)
	}
	if b, _ := f.Content(repo.FullName(), "release/payment", path); string(b) != "# payment\n\n## 1.2.1\n" {
		t.Errorf("stored %q", b)
	}
	if _, err := c.PutFile(ctx, repo, "release/payment", path, "stale", []byte("x"), sha); err == nil {
		t.Error("an update with a stale blob SHA was accepted")
	}
	if _, err := c.PutFile(ctx, repo, "", path, "", nil, ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("no message: %v", err)
	}
}

func TestRefsAndReleases(t *testing.T) {
	f, c := setup(t)
	ctx := context.Background()
	steps := []struct {
		name string
		run  func() error
		err  error
	}{
		{"create tag ref", func() error { return c.CreateRef(ctx, repo, "refs/tags/payment@v1.2.0", sha40) }, nil},
		{"again", func() error { return c.CreateRef(ctx, repo, "refs/tags/payment@v1.2.0", sha40) }, ErrExists},
		{"no release yet", func() error { _, err := c.ReleaseByTag(ctx, repo, "payment@v1.2.0"); return err }, ErrNotFound},
		{"create release", func() error {
			r, err := c.CreateRelease(ctx, repo, Release{Tag: "payment@v1.2.0", Name: "payment 1.2.0", Body: "- fix", Target: "main"})
			if err == nil && (r.ID == 0 || r.Tag != "payment@v1.2.0" || r.URL == "") {
				t.Errorf("release %+v", r)
			}
			return err
		}, nil},
		{"release again", func() error {
			_, err := c.CreateRelease(ctx, repo, Release{Tag: "payment@v1.2.0"})
			return err
		}, ErrExists},
		{"find it", func() error {
			r, err := c.ReleaseByTag(ctx, repo, "payment@v1.2.0")
			if err == nil && (r.Body != "- fix" || r.Name != "payment 1.2.0") {
				t.Errorf("release %+v", r)
			}
			return err
		}, nil},
		{"tag with a slash", func() error { _, err := c.ReleaseByTag(ctx, repo, "payment/v9"); return err }, ErrNotFound},
		{"release without tag", func() error { _, err := c.CreateRelease(ctx, repo, Release{}); return err }, ErrInvalid},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			err := s.run()
			if !errors.Is(err, s.err) || (s.err == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, s.err)
			}
		})
	}
	if sha, ok := f.Ref(repo.FullName(), "refs/tags/payment@v1.2.0"); !ok || sha != sha40 {
		t.Errorf("ref %q %v", sha, ok)
	}
	if rs := f.Releases(repo.FullName()); len(rs) != 1 {
		t.Errorf("%d releases", len(rs))
	}
}
