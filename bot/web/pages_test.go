package web_test

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/store"
	"github.com/mpgate/mpgate/bot/store/storetest"
	"github.com/mpgate/mpgate/bot/web"
)

// cookieAccess stands in for the forges' sign-in in these tests of the
// pages' own rules: the viewer is the "viewer" cookie, and readable lists
// what each login may read.
type cookieAccess struct{ readable map[string][]string }

func (a cookieAccess) Viewer(r *http.Request) (web.Viewer, bool) {
	c, err := r.Cookie("viewer")
	if err != nil {
		return web.Viewer{}, false
	}
	return web.Viewer{Forge: bot.ForgeGitHub, Login: c.Value}, true
}

func (a cookieAccess) CanRead(_ context.Context, v web.Viewer, repo bot.Repo) (bool, error) {
	for _, k := range a.readable[v.Login] {
		if k == store.RepoKey(repo) {
			return true, nil
		}
	}
	return false, nil
}

func TestPages(t *testing.T) {
	now := time.Date(2026, 9, 10, 12, 0, 0, 0, time.UTC)
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s, err := store.Open(ctx, storetest.OpenDB(t, b), b.Dialect)
			if err != nil {
				t.Fatal(err)
			}
			public := bot.Repo{Forge: bot.ForgeGitHub, Owner: "octo", Name: "shop"}
			secret := bot.Repo{Forge: bot.ForgeGitHub, Owner: "octo", Name: "secret-plans"}
			cov := 64.0
			var rec bot.RunRecorder = s.ForBot()
			for _, r := range []bot.RunRecord{
				{Repo: public, SHA: "aaaa1111", Conclusion: "success", FinishedAt: now.Add(-48 * time.Hour),
					Packages: []bot.PackageRecord{{Name: "__APP__", Bytes: 1 << 20, UploadBytes: 700 << 10, Limit: 2 << 20, Basis: "uploadBytes"}}},
				{Repo: public, SHA: "bbbb2222", PR: 9, Conclusion: "failure", Coverage: &cov, FinishedAt: now.Add(-24 * time.Hour),
					Gates: []bot.GateRecord{{Name: "size", Status: "fail", Summary: "over"}}},
				{Repo: public, SHA: "cccc3333", Conclusion: "success", FinishedAt: now.Add(-time.Hour),
					Packages: []bot.PackageRecord{{Name: "__APP__", Bytes: 1200 << 10, UploadBytes: 800 << 10, Limit: 2 << 20, Basis: "uploadBytes"}}},
				{Repo: secret, SHA: "dddd4444", Conclusion: "success", FinishedAt: now.Add(-time.Hour)},
			} {
				if err := rec.RecordRun(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			h, err := web.Handler(web.Config{Store: s, Now: func() time.Time { return now },
				Access: cookieAccess{readable: map[string][]string{
					"alice": {"github:octo/shop", "github:octo/secret-plans"},
					"bob":   {"github:octo/shop"},
				}},
				SignIn: func(next string) string { return "/pages/signin?next=" + url.QueryEscape(next) }})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			get := func(path, login string) (int, http.Header, string) {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
				if login != "" {
					req.AddCookie(&http.Cookie{Name: "viewer", Value: login})
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, resp.Header, string(body)
			}
			shopPath, secretPath := web.RepoPath(public), web.RepoPath(secret)
			tests := []struct {
				name, path, login string
				status            int
				has, hasNot       []string
			}{
				{"anonymous org page", "/pages/", "", http.StatusFound, nil, []string{"shop"}},
				{"anonymous repo page", shopPath, "", http.StatusFound, nil, []string{"__APP__"}},
				{"without access", secretPath, "bob", http.StatusNotFound, nil, []string{"secret"}},
				{"unknown repository", "/pages/repo/github/octo/nothing", "bob", http.StatusNotFound, nil, nil},
				{"with access", secretPath, "alice", http.StatusOK, []string{"secret-plans"}, nil},
				{"repo page", shopPath, "bob", http.StatusOK,
					[]string{`class="limit"`, `data-value="1228800.00"`, "#9", "size fail", `class="point coverage"`, "default branch"}, nil},
				{"org page lists only what bob reads", "/pages/", "bob", http.StatusOK, []string{"github:octo/shop", "size"}, []string{"secret"}},
				{"org page for alice", "/pages/", "alice", http.StatusOK, []string{"github:octo/shop", "secret-plans"}, nil},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					status, hdr, body := get(tc.path, tc.login)
					if status != tc.status {
						t.Fatalf("status %d, want %d\n%s", status, tc.status, body)
					}
					if status == http.StatusFound {
						if loc := hdr.Get("Location"); loc != "/pages/signin?next="+url.QueryEscape(tc.path) {
							t.Errorf("redirected to %q", loc)
						}
					}
					for _, s := range tc.has {
						if !strings.Contains(body, s) {
							t.Errorf("page lacks %q:\n%s", s, body)
						}
					}
					for _, s := range tc.hasNot {
						if strings.Contains(body, s) {
							t.Errorf("page shows %q:\n%s", s, body)
						}
					}
					if status == http.StatusOK {
						if cc := hdr.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
							t.Errorf("Cache-Control %q", cc)
						}
					}
				})
			}
			// The page is well-formed enough for its charts to be read back.
			_, _, body := get(shopPath, "bob")
			i := strings.Index(body, "<svg")
			j := strings.Index(body[i:], "</svg>")
			var doc struct {
				Circles []struct {
					Value string `xml:"data-value,attr"`
				} `xml:"circle"`
			}
			if err := xml.Unmarshal([]byte(body[i:i+j+6]), &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Circles) != 4 {
				t.Errorf("size chart has %d points, want 2 pushes × (size, upload size)", len(doc.Circles))
			}
		})
	}
}
