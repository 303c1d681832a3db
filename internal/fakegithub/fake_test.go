package fakegithub

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
)

const (
	tok   = "ghp_testtoken"
	sha40 = "0123456789abcdef0123456789abcdef01234567"
)

func do(t *testing.T, f *Fake, method, path, body string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "token "+tok)
	req.Header.Set("User-Agent", "test")
	req.Header.Set("Accept", "application/vnd.github+json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		if v == "" && k == "User-Agent" {
			req.Header[k] = []string{""} // net/http then sends none
		} else if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestValidation(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		hdr                      map[string]string
		status                   int
		wantErr                  string // substring of the recorded error; "" = none
	}{
		{"valid check run", "POST", "/repos/o/r/check-runs", `{"name":"mpgate","head_sha":"abc","status":"in_progress"}`, nil, 201, ""},
		{"unknown body field", "POST", "/repos/o/r/check-runs", `{"name":"mpgate","head_sha":"abc","colour":"red"}`, nil, 422, `body: property "colour" is not in the description`},
		{"missing required", "POST", "/repos/o/r/check-runs", `{"name":"mpgate"}`, nil, 422, `body.head_sha: property "head_sha" is missing`},
		{"bad enum", "POST", "/repos/o/r/check-runs", `{"name":"m","head_sha":"a","status":"done"}`, nil, 422, "body.status: value is not one of the allowed values"},
		{"wrong type", "POST", "/repos/o/r/issues/1/comments", `{"body":5}`, nil, 422, "body.body: value must be a string"},
		{"not JSON", "POST", "/repos/o/r/issues/1/comments", `{"body":`, nil, 400, "not JSON"},
		{"trailing data", "POST", "/repos/o/r/issues/1/comments", `{"body":"a"} {}`, nil, 400, "after the JSON value"},
		{"no body", "POST", "/repos/o/r/issues/1/comments", ``, nil, 400, "body is required"},
		{"non-integer path param", "GET", "/repos/o/r/issues/x/comments", ``, nil, 400, "path parameter issue_number: value x: an invalid integer"},
		{"unknown query param", "GET", "/repos/o/r/issues/1/comments?perpage=5", ``, nil, 400, `"perpage"`},
		{"unknown route", "GET", "/repos/o/r/issues/1/reactions", ``, nil, 404, "no operation"},
		{"wrong method", "PUT", "/repos/o/r/check-runs", `{}`, nil, 404, "no operation"},
		{"no auth", "GET", "/repos/o/r/issues/1/comments", ``, map[string]string{"Authorization": ""}, 401, "Requires authentication"},
		{"bad token", "GET", "/repos/o/r/issues/1/comments", ``, map[string]string{"Authorization": "token nope"}, 401, "Bad credentials"},
		{"no user agent", "GET", "/repos/o/r/issues/1/comments", ``, map[string]string{"User-Agent": ""}, 403, "User-Agent"},
		{"bad accept", "GET", "/repos/o/r/issues/1/comments", ``, map[string]string{"Accept": "text/html"}, 415, "Accept"},
		{"bad content type", "POST", "/repos/o/r/issues/1/comments", `{"body":"x"}`, map[string]string{"Content-Type": "text/plain"}, 415, "Content-Type"},
		{"multi-segment contents path", "GET", "/repos/o/r/contents/a/b/c.json", ``, nil, 404, ""},
		{"multi-segment ref", "GET", "/repos/o/r/git/ref/heads/feature/x", ``, nil, 404, ""},
		{"too many annotations", "PATCH", "/repos/o/r/check-runs/1", `{"output":{"title":"t","summary":"s","annotations":[` + strings.Repeat(`{"path":"a","start_line":1,"end_line":1,"annotation_level":"notice","message":"m"},`, 50) + `{"path":"a","start_line":1,"end_line":1,"annotation_level":"notice","message":"m"}]}}`, nil, 422, "body.output.annotations: maximum number of items is 50"},
		{"summary too long", "PATCH", "/repos/o/r/check-runs/1", `{"output":{"title":"t","summary":"` + strings.Repeat("é", 65536) + `"}}`, nil, 422, "body.output.summary: maximum string length is 65535"},
		{"bad date-time", "PATCH", "/repos/o/r/check-runs/1", `{"completed_at":"yesterday","conclusion":"success"}`, nil, 422, `body.completed_at: string doesn't match the format "date-time"`},
		{"nullable ok", "POST", "/repos/o/r/statuses/abc", `{"state":"success","description":null}`, nil, 201, ""},
		{"bad conclusion enum", "PATCH", "/repos/o/r/check-runs/1", `{"conclusion":"passed"}`, nil, 422, "body.conclusion: value is not one of the allowed values"},
		{"bad status enum on update", "PATCH", "/repos/o/r/check-runs/1", `{"status":"running"}`, nil, 422, "body.status: value is not one of the allowed values"},
		{"wrong type nested", "POST", "/repos/o/r/check-runs", `{"name":"m","head_sha":"a","output":{"title":"t","summary":"s","annotations":[{"path":"a","start_line":"1","end_line":1,"annotation_level":"notice","message":"m"}]}}`, nil, 422, "body.output.annotations.0.start_line: value must be an integer"},
		{"unknown nested field", "POST", "/repos/o/r/check-runs", `{"name":"m","head_sha":"a","output":{"title":"t","summary":"s","colour":"red"}}`, nil, 422, `body.output: property "colour" is not in the description`},
		{"bad query enum", "GET", "/repos/o/r/pulls?state=merged", ``, nil, 400, "query parameter state: value is not one of the allowed values"},
		{"bad query type", "GET", "/repos/o/r/pulls?per_page=many", ``, nil, 400, "query parameter per_page"},
		{"bad reaction", "POST", "/repos/o/r/issues/comments/1/reactions", `{"content":"thumbsup"}`, nil, 422, "body.content: value is not one of the allowed values"},
		{"pull without head", "POST", "/repos/o/r/pulls", `{"title":"t","base":"main"}`, nil, 422, `body.head: property "head" is missing`},
		{"label of wrong type", "POST", "/repos/o/r/issues/1/labels", `{"labels":[1]}`, nil, 422, "body"},
		{"bare label array", "POST", "/repos/o/r/issues/1/labels", `["bug"]`, nil, 200, ""},
		{"empty label array", "POST", "/repos/o/r/issues/1/labels", `[]`, nil, 422, "body.labels: minimum number of items is 1"},
		{"body to a bodiless operation", "GET", "/user", `{}`, nil, 400, "takes none"},
		{"user", "GET", "/user", ``, nil, 200, ""},
		{"charset in content type", "POST", "/repos/o/r/issues/1/comments", `{"body":"x"}`, map[string]string{"Content-Type": "application/json; charset=utf-8"}, 201, ""},
		{"unknown route under a known prefix", "GET", "/repos/o/r/pulls/1/commits", ``, nil, 404, "no operation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := New(t)
			f.AddToken(tok, "octocat")
			resp, body := do(t, f, tt.method, tt.path, tt.body, tt.hdr)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d (%s)", resp.StatusCode, tt.status, body)
			}
			errs := strings.Join(f.Errors(), "\n")
			if tt.wantErr == "" && errs != "" {
				t.Errorf("unexpected errors: %s", errs)
			}
			if tt.wantErr != "" && !strings.Contains(errs, tt.wantErr) {
				t.Errorf("errors %q do not mention %q", errs, tt.wantErr)
			}
			if got := len(f.Requests()); got != 1 {
				t.Errorf("%d requests logged, want 1", got)
			}
		})
	}
}

// TestExtraEndpoints drives the operations of github-rest-extra through
// their state, and checks every answer against the description.
func TestExtraEndpoints(t *testing.T) {
	f := New(t)
	f.AddToken(tok, "octocat")
	f.AddToken("ghs_bot", "mpgate[bot]")
	cid := f.AddComment("o/r", 5, "alice", "/mpgate recheck")
	f.SetRef("o/r", "refs/heads/release/v1.2.0", sha40)
	f.SetPull("o/r", Pull{Number: 5, HeadSHA: "h5", HeadRef: "feat", HeadRepo: "fork/r", BaseRef: "main", State: "open"})
	f.SetPull("o/r", Pull{Number: 2, HeadSHA: "h2", HeadRef: "old", HeadRepo: "o/r", BaseRef: "main", State: "closed"})
	c := fmt.Sprint(cid)
	steps := []struct {
		method, path, body, auth string
		status                   int
		want                     string
	}{
		{"GET", "/user", "", "", 200, `"login":"octocat"`},
		{"GET", "/user", "", "ghs_bot", 403, "not accessible by integration"},
		{"PATCH", "/user", `{"name":"Octo Cat"}`, "", 200, `"name":"Octo Cat"`},
		{"POST", "/repos/o/r/issues/comments/" + c + "/reactions", `{"content":"eyes"}`, "ghs_bot", 201, `"content":"eyes"`},
		{"POST", "/repos/o/r/issues/comments/" + c + "/reactions", `{"content":"eyes"}`, "ghs_bot", 200, `"login":"mpgate[bot]"`},
		{"POST", "/repos/o/r/issues/comments/" + c + "/reactions", `{"content":"+1"}`, "", 201, `"content":"+1"`},
		{"GET", "/repos/o/r/issues/comments/" + c + "/reactions", "", "", 200, `"content":"+1"`},
		{"GET", "/repos/o/r/issues/comments/" + c + "/reactions?content=eyes", "", "", 200, `"content":"eyes"`},
		{"POST", "/repos/o/r/issues/comments/999999/reactions", `{"content":"eyes"}`, "", 404, ""},
		{"GET", "/repos/o/r/pulls", "", "", 200, `"number":5`},
		{"GET", "/repos/o/r/pulls?state=closed", "", "", 200, `"number":2`},
		{"GET", "/repos/o/r/pulls?head=o:release/v1.2.0&state=open", "", "", 200, `[]`},
		{"POST", "/repos/o/r/pulls", `{"title":"Release v1.2.0","head":"release/v1.2.0","base":"main","body":"notes"}`, "ghs_bot", 201, `"number":6`},
		{"POST", "/repos/o/r/pulls", `{"title":"again","head":"o:release/v1.2.0","base":"main"}`, "ghs_bot", 422, "A pull request already exists for o:release/v1.2.0."},
		{"POST", "/repos/o/r/pulls", `{"title":"nope","head":"no-such-branch","base":"main"}`, "", 422, `"field":"head"`},
		{"POST", "/repos/o/r/pulls", `{"head":"release/v1.2.0","base":"dev"}`, "", 422, `"field":"title"`},
		{"GET", "/repos/o/r/pulls?head=o:release/v1.2.0", "", "", 200, `"title":"Release v1.2.0"`},
		{"PATCH", "/repos/o/r/pulls/6", `{"title":"Release v1.2.1","body":"more notes"}`, "ghs_bot", 200, `"body":"more notes"`},
		{"GET", "/repos/o/r/commits/" + sha40 + "/pulls", "", "", 200, `"number":6`},
		{"GET", "/repos/o/r/commits/h2/pulls", "", "", 200, `"number":2`},
		{"POST", "/repos/o/r/issues/6/labels", `{"labels":["release","mpgate"]}`, "ghs_bot", 200, `"name":"mpgate"`},
		{"POST", "/repos/o/r/issues/6/labels", `["Release","size"]`, "ghs_bot", 200, `"name":"size"`},
		{"GET", "/repos/o/r/issues/6/labels", "", "", 200, `"name":"release"`},
		{"DELETE", "/repos/o/r/issues/6/labels/size", "", "", 200, `"name":"mpgate"`},
		{"DELETE", "/repos/o/r/issues/6/labels/nope", "", "", 404, "Label does not exist"},
		{"PUT", "/repos/o/r/issues/6/labels", `{"labels":[{"name":"blocked"}]}`, "", 200, `"name":"blocked"`},
		{"DELETE", "/repos/o/r/issues/6/labels", "", "", 204, ""},
	}
	for i, s := range steps {
		t.Run(fmt.Sprintf("%02d %s %s", i, s.method, s.path), func(t *testing.T) {
			var hdr map[string]string
			if s.auth != "" {
				hdr = map[string]string{"Authorization": "token " + s.auth}
			}
			resp, body := do(t, f, s.method, s.path, s.body, hdr)
			if resp.StatusCode != s.status || !strings.Contains(body, s.want) {
				t.Errorf("got %d %.400s; want %d containing %s", resp.StatusCode, body, s.status, s.want)
			}
			for _, e := range checkAnswer(t, f, s.method, s.path, resp, body) {
				t.Error(e)
			}
		})
	}
	rs := f.Reactions("o/r", cid)
	if len(rs) != 2 || rs[0].Login != "mpgate[bot]" || rs[0].Content != "eyes" || rs[1].Content != "+1" {
		t.Errorf("reactions %+v", rs)
	}
	pulls := f.Pulls("o/r")
	if len(pulls) != 3 || pulls[2].Number != 6 || pulls[2].HeadSHA != sha40 || pulls[2].Title != "Release v1.2.1" || pulls[2].BaseRef != "main" {
		t.Errorf("pulls %+v", pulls)
	}
	if l := f.Labels("o/r", 6); len(l) != 0 {
		t.Errorf("labels after remove-all: %v", l)
	}
	if e := f.Errors(); len(e) != 0 {
		t.Errorf("errors: %v", e)
	}

	// Delete a reaction, and the labels a test seeds.
	resp, _ := do(t, f, "DELETE", fmt.Sprintf("/repos/o/r/issues/comments/%d/reactions/%d", cid, rs[0].ID), "", nil)
	if resp.StatusCode != 204 || len(f.Reactions("o/r", cid)) != 1 {
		t.Errorf("delete reaction: %d, %d left", resp.StatusCode, len(f.Reactions("o/r", cid)))
	}
	f.SetLabels("o/r", 5, "a", "b", "A")
	if l := f.Labels("o/r", 5); strings.Join(l, ",") != "a,b" {
		t.Errorf("SetLabels: %v (labels are case-insensitive)", l)
	}
}

// TestAnswerCheckBites proves checkAnswer (kin-openapi's response
// validation) rejects answers that break the description.
func TestAnswerCheckBites(t *testing.T) {
	f := New(t)
	tests := []struct {
		name, method, path string
		status             int
		body               string
	}{
		{"wrong type", "GET", "/user", 200, `{"login":5}`},
		{"undescribed success status", "GET", "/repos/o/r/pulls", 202, `[]`},
		{"missing required", "POST", "/repos/o/r/issues/comments/1/reactions", 201, `{"id":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tt.status, Header: http.Header{"Content-Type": {"application/json"}}}
			if errs := checkAnswer(t, f, tt.method, tt.path, resp, tt.body); len(errs) == 0 {
				t.Error("accepted")
			}
		})
	}
}

func TestPaginationAndETag(t *testing.T) {
	f := New(t)
	f.AddToken(tok, "octocat")
	for i := range 65 {
		f.AddComment("o/r", 7, "someone", fmt.Sprintf("c%d", i))
	}
	tests := []struct {
		query    string
		n        int
		first    string
		hasNext  bool
		nextPage string
	}{
		{"", 30, "c0", true, "page=2"},
		{"?per_page=50&page=2", 15, "c50", false, ""},
		{"?per_page=20&page=3", 20, "c40", true, "page=4"},
		{"?per_page=500", 65, "c0", false, ""},
		{"?page=9", 0, "", false, ""},
		{"?since=2000-01-01T00:00:00Z", 30, "c0", true, "since="},
		{"?since=2999-01-01T00:00:00Z", 0, "", false, ""},
		{"?page=9223372036854775807&per_page=100", 0, "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp, body := do(t, f, "GET", "/repos/o/r/issues/7/comments"+tt.query, "", nil)
			var list []map[string]any
			if err := json.Unmarshal([]byte(body), &list); err != nil {
				t.Fatal(err)
			}
			if len(list) != tt.n {
				t.Fatalf("%d comments, want %d", len(list), tt.n)
			}
			if tt.n > 0 && list[0]["body"] != tt.first {
				t.Errorf("first %v, want %s", list[0]["body"], tt.first)
			}
			link := resp.Header.Get("Link")
			if got := strings.Contains(link, `rel="next"`); got != tt.hasNext {
				t.Errorf("Link %q: next=%v, want %v", link, got, tt.hasNext)
			}
			if tt.hasNext && !strings.Contains(link, tt.nextPage) {
				t.Errorf("Link %q lacks %s", link, tt.nextPage)
			}
		})
	}
	resp, _ := do(t, f, "GET", "/repos/o/r/issues/7/comments", "", nil)
	etag := resp.Header.Get("ETag")
	before := f.RateRemaining()
	resp2, body := do(t, f, "GET", "/repos/o/r/issues/7/comments", "", map[string]string{"If-None-Match": etag})
	if resp2.StatusCode != http.StatusNotModified || body != "" {
		t.Errorf("second GET: %d %q, want 304 and no body", resp2.StatusCode, body)
	}
	if f.RateRemaining() != before || f.NotModified() != 1 {
		t.Errorf("a 304 spent rate limit (%d → %d) or was not counted (%d)", before, f.RateRemaining(), f.NotModified())
	}
	if e := f.Errors(); len(e) != 0 {
		t.Errorf("errors: %v", e)
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		kind   FaultKind
		status int
		header string
		value  string
		msg    string
	}{
		{ServerError, 502, "", "", "Server Error"},
		{ForbiddenIntegration, 403, "", "", "Resource not accessible by integration"},
		{SecondaryRateLimit, 403, "Retry-After", "1", "secondary rate limit"},
		{SecondaryRateLimit429, 429, "Retry-After", "1", "secondary rate limit"},
		{PrimaryRateLimit, 403, "X-RateLimit-Remaining", "0", "API rate limit exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.msg, func(t *testing.T) {
			f := New(t)
			f.AddToken(tok, "octocat")
			f.Fault("issues/create-comment", 1, tt.kind)
			resp, body := do(t, f, "POST", "/repos/o/r/issues/1/comments", `{"body":"x"}`, nil)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.msg) {
				t.Errorf("got %d %s", resp.StatusCode, body)
			}
			if tt.header != "" && resp.Header.Get(tt.header) != tt.value {
				t.Errorf("%s = %q, want %q", tt.header, resp.Header.Get(tt.header), tt.value)
			}
			if len(f.Comments("o/r", 1)) != 0 {
				t.Error("a faulted request changed state")
			}
			resp, _ = do(t, f, "POST", "/repos/o/r/issues/1/comments", `{"body":"x"}`, nil)
			if resp.StatusCode != 201 || len(f.Comments("o/r", 1)) != 1 {
				t.Errorf("after the fault: %d", resp.StatusCode)
			}
			if e := f.Errors(); len(e) != 0 {
				t.Errorf("errors: %v", e)
			}
		})
	}
}

func jwtFor(t *testing.T, key *rsa.PrivateKey, claims string) string {
	t.Helper()
	enc := base64.RawURLEncoding.EncodeToString
	signing := enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc([]byte(claims))
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + enc(sig)
}

func TestInstallationToken(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	good := fmt.Sprintf(`{"iss":"42","iat":%d,"exp":%d}`, now-30, now+90)
	tests := []struct {
		name    string
		jwt     string
		inst    string
		status  int
		wantErr string
	}{
		{"valid", jwtFor(t, key, good), "7", 201, ""},
		{"numeric iss", jwtFor(t, key, fmt.Sprintf(`{"iss":42,"iat":%d,"exp":%d}`, now-30, now+90)), "7", 201, ""},
		{"wrong key", jwtFor(t, other, good), "7", 401, "does not verify"},
		{"expired", jwtFor(t, key, fmt.Sprintf(`{"iss":"42","iat":%d,"exp":%d}`, now-700, now-100)), "7", 401, "future time"},
		{"too long", jwtFor(t, key, fmt.Sprintf(`{"iss":"42","iat":%d,"exp":%d}`, now, now+3600)), "7", 401, "too far"},
		{"unknown app", jwtFor(t, key, fmt.Sprintf(`{"iss":"43","iat":%d,"exp":%d}`, now-30, now+90)), "7", 401, "no App 43"},
		{"garbage", "a.b", "7", 401, "compact"},
		{"other installation", jwtFor(t, key, good), "8", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := New(t)
			f.RegisterApp(42, "mpgate", &key.PublicKey)
			f.AddInstallation(7, 42)
			resp, body := do(t, f, "POST", "/app/installations/"+tt.inst+"/access_tokens", "", map[string]string{"Authorization": "Bearer " + tt.jwt})
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			errs := strings.Join(f.Errors(), "\n")
			if (tt.wantErr == "") != (errs == "") || !strings.Contains(errs, tt.wantErr) {
				t.Errorf("errors %q, want %q", errs, tt.wantErr)
			}
			if tt.status != 201 {
				return
			}
			var out struct{ Token string }
			if err := json.Unmarshal([]byte(body), &out); err != nil || !strings.HasPrefix(out.Token, "ghs_") {
				t.Fatalf("token answer %s: %v", body, err)
			}
			resp, _ = do(t, f, "POST", "/repos/o/r/issues/1/comments", `{"body":"hi"}`, map[string]string{"Authorization": "token " + out.Token})
			if resp.StatusCode != 201 {
				t.Fatalf("using the token: %d", resp.StatusCode)
			}
			if cs := f.Comments("o/r", 1); len(cs) != 1 || cs[0].Login != "mpgate[bot]" {
				t.Errorf("comment author %+v, want mpgate[bot]", cs)
			}
		})
	}
}

func TestStateRoundTrips(t *testing.T) {
	f := New(t)
	f.AddToken(tok, "octocat")
	f.SetPermission("o/r", "alice", "maintain", "maintain")
	f.SetPull("o/r", Pull{Number: 3, HeadSHA: "h1", HeadRef: "feat", HeadRepo: "fork/r", BaseRef: "main", BaseSHA: "b1",
		Files: []PullFile{{Filename: "app.json", Status: "modified", Additions: 1}}})
	steps := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", "/repos/o/r/collaborators/alice/permission", "", 200, `"role_name":"maintain"`},
		{"GET", "/repos/o/r/collaborators/bob/permission", "", 404, ""},
		{"GET", "/repos/o/r/pulls/3", "", 200, `"full_name":"fork/r"`},
		{"GET", "/repos/o/r/pulls/3/files", "", 200, `"filename":"app.json"`},
		{"GET", "/repos/o/r/pulls/4", "", 404, ""},
		{"PUT", "/repos/o/r/contents/docs/CHANGELOG.md", `{"message":"m","content":"aGk=","branch":"main"}`, 201, `"path":"docs/CHANGELOG.md"`},
		{"GET", "/repos/o/r/contents/docs/CHANGELOG.md?ref=main", "", 200, `"content":"aGk="`},
		{"POST", "/repos/o/r/git/refs", `{"ref":"refs/tags/v1.0.0","sha":"` + sha40 + `"}`, 201, `"ref":"refs/tags/v1.0.0"`},
		{"POST", "/repos/o/r/git/refs", `{"ref":"refs/tags/v1.0.0","sha":"` + sha40 + `"}`, 422, "already exists"},
		{"POST", "/repos/o/r/git/refs", `{"ref":"refs/tags/v2","sha":"abc"}`, 422, "Object does not exist"},
		{"GET", "/repos/o/r/git/ref/tags/v1.0.0", "", 200, `"sha":"` + sha40 + `"`},
		{"POST", "/repos/o/r/git/tags", `{"tag":"v1.0.0","message":"m","object":"abc","type":"commit"}`, 201, `"tag":"v1.0.0"`},
		{"POST", "/repos/o/r/releases", `{"tag_name":"v1.0.0","name":"v1.0.0","body":"notes"}`, 201, `"tag_name":"v1.0.0"`},
		{"GET", "/repos/o/r/releases/tags/v1.0.0", "", 200, `"body":"notes"`},
		{"GET", "/repos/o/r/releases", "", 200, `"tag_name":"v1.0.0"`},
		{"POST", "/repos/o/r/statuses/h1", `{"state":"pending","context":"mpgate","description":"running"}`, 201, `"state":"pending"`},
		{"POST", "/repos/o/r/check-runs", `{"name":"mpgate","head_sha":"h1"}`, 201, `"status":"queued"`},
	}
	for _, s := range steps {
		t.Run(s.method+" "+s.path, func(t *testing.T) {
			resp, body := do(t, f, s.method, s.path, s.body, nil)
			if resp.StatusCode != s.status || !strings.Contains(body, s.want) {
				t.Errorf("got %d %.300s; want %d containing %s", resp.StatusCode, body, s.status, s.want)
			}
		})
	}
	if st := f.Statuses("o/r", "h1"); len(st) != 1 || st[0].Context != "mpgate" {
		t.Errorf("statuses %+v", st)
	}
	if e := f.Errors(); len(e) != 0 {
		t.Errorf("errors: %v", e)
	}
}

// fuzzClient bounds each request so a hang in the fake becomes a failure
// with its input, not a stalled fuzzer.
var fuzzClient = &http.Client{Timeout: 10 * time.Second}

// FuzzRequest throws arbitrary paths, queries and bodies at the router and
// validator: the fake must answer (never panic) and log every request.
func FuzzRequest(f *testing.F) {
	f.Add("POST", "/repos/o/r/check-runs", "", `{"name":"m","head_sha":"a","output":{"title":"t","summary":"s","annotations":[{"path":"a","start_line":1,"end_line":1,"annotation_level":"notice","message":"m"}]}}`)
	f.Add("GET", "/repos/o/r/issues/1/comments", "per_page=100&page=2", "")
	f.Add("PATCH", "/repos/o/r/check-runs/1001", "", `{"conclusion":"success","completed_at":"2024-01-01T00:00:00Z","actions":[{"label":"l","description":"d","identifier":"i"}]}`)
	f.Add("GET", "/repos/o/r/contents/a%2Fb/c", "ref=main", "")
	f.Add("POST", "/repos/o/r/statuses/x", "", `{"state":null,"target_url":[1,{"a":null}]}`)
	f.Add("POST", "/repos/o/r/issues/3/labels", "", `["a",{"name":"b"}]`)
	f.Add("PUT", "/repos/o/r/issues/3/labels", "", `{"labels":[{"name":"b","confidence":"high"}]}`)
	f.Add("POST", "/repos/o/r/pulls", "", `{"title":"t","head":"o:x","base":"main","draft":true}`)
	f.Add("GET", "/repos/o/r/pulls", "state=all&head=o:x&direction=asc", "")
	f.Add("POST", "/repos/o/r/issues/comments/1001/reactions", "", `{"content":"+1"}`)
	f.Add("GET", "/user", "", "")
	fk, err := NewServer()
	if err != nil {
		f.Fatal(err)
	}
	defer fk.Close()
	fk.AddToken(tok, "octocat")
	f.Fuzz(func(t *testing.T, method, path, query, body string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req, err := http.NewRequest(method, fk.URL, strings.NewReader(body))
		if err != nil {
			return
		}
		// Keep the request line valid HTTP (net/http's server answers a
		// malformed one itself, before the fake): the client escapes the
		// path, and the query is re-encoded.
		req.URL.Path = path
		q, _ := url.ParseQuery(query)
		req.URL.RawQuery = q.Encode()
		req.Header.Set("Authorization", "token "+tok)
		req.Header.Set("User-Agent", "fuzz")
		req.Header.Set("Content-Type", "application/json")
		n := len(fk.Requests())
		resp, err := fuzzClient.Do(req)
		if err != nil {
			if e, ok := err.(interface{ Timeout() bool }); ok && e.Timeout() {
				t.Fatalf("no answer: %v", err)
			}
			return // e.g. a method net/http will not send
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 200 || resp.StatusCode > 599 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if len(fk.Requests()) != n+1 {
			t.Fatalf("request not logged")
		}
	})
}

// TestAnswersMatchTheDescription checks the fake's own answers against the
// description's response schemas, so clients are tested against realistic
// shapes. Upstream examples that break their own schema (see
// testdata/ORIGINS.md and the shared README) are patched by the handlers
// or listed here.
func TestAnswersMatchTheDescription(t *testing.T) {
	// Known upstream example/schema mismatches, not the fake's doing
	// (none left: the handlers patch the ones the README lists).
	upstream := map[string]bool{}
	f := New(t)
	f.AddToken(tok, "octocat")
	f.SetPermission("o/r", "alice", "write", "write")
	f.SetPull("o/r", Pull{Number: 3, HeadSHA: "h1", HeadRef: "feat", HeadRepo: "o/r", BaseRef: "main", BaseSHA: "b1",
		Files: []PullFile{{Filename: "app.json", Status: "renamed", PreviousFilename: "old.json"}}})
	f.AddComment("o/r", 3, "someone", "hi")
	steps := []struct{ method, path, body string }{
		{"POST", "/repos/o/r/check-runs", `{"name":"mpgate","head_sha":"h1","status":"in_progress"}`},
		{"PATCH", "/repos/o/r/check-runs/1002", `{"conclusion":"success","output":{"title":"t","summary":"s"}}`},
		{"GET", "/repos/o/r/check-runs/1002", ""},
		{"POST", "/repos/o/r/issues/3/comments", `{"body":"report"}`},
		{"GET", "/repos/o/r/issues/3/comments", ""},
		{"PATCH", "/repos/o/r/issues/comments/1003", `{"body":"report 2"}`},
		{"GET", "/repos/o/r/issues/comments/1003", ""},
		{"GET", "/repos/o/r/collaborators/alice/permission", ""},
		{"GET", "/repos/o/r/pulls/3", ""},
		{"GET", "/repos/o/r/pulls/3/files", ""},
		{"POST", "/repos/o/r/statuses/h1", `{"state":"success","context":"mpgate"}`},
		{"PUT", "/repos/o/r/contents/CHANGELOG.md", `{"message":"m","content":"aGk="}`},
		{"GET", "/repos/o/r/contents/CHANGELOG.md", ""},
		{"POST", "/repos/o/r/git/refs", `{"ref":"refs/heads/release","sha":"0123456789abcdef0123456789abcdef01234567"}`},
		{"GET", "/repos/o/r/git/ref/heads/release", ""},
		{"POST", "/repos/o/r/git/tags", `{"tag":"v1","message":"m","object":"abc","type":"commit"}`},
		{"POST", "/repos/o/r/releases", `{"tag_name":"v1","name":"v1","body":"notes"}`},
		{"GET", "/repos/o/r/releases", ""},
		{"GET", "/repos/o/r/releases/tags/v1", ""},
	}
	for _, s := range steps {
		t.Run(s.method+" "+s.path, func(t *testing.T) {
			resp, body := do(t, f, s.method, s.path, s.body, nil)
			if resp.StatusCode >= 300 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			for _, e := range checkAnswer(t, f, s.method, s.path, resp, body) {
				if !upstream[e] {
					t.Error(e)
				}
			}
		})
	}
	if e := f.Errors(); len(e) != 0 {
		t.Errorf("errors: %v", e)
	}
}

// checkAnswer validates an answer of the fake against the description's
// response for its status, with kin-openapi, and returns the problems.
func checkAnswer(t *testing.T, f *Fake, method, path string, resp *http.Response, body string) []string {
	t.Helper()
	u, err := url.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	op, params := f.spec.match(method, strings.Split(strings.TrimPrefix(u.Path, "/"), "/"))
	if op == nil {
		t.Fatalf("no operation for %s %s", method, path)
	}
	req, err := http.NewRequest(method, f.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: op.route, Options: validationOptions()},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(strings.NewReader(body)),
		// GitHub's description omits many error statuses (a 404 for a
		// reaction to a missing comment): only successes must be listed.
		Options: &openapi3filter.Options{MultiError: true, IncludeResponseStatus: resp.StatusCode < 400},
	}
	var out []string
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		for _, p := range flatten(err, "answer") {
			out = append(out, op.id+": "+p.text)
		}
	}
	return out
}

// FuzzValidate runs the request validation (kin-openapi plus the fake's
// unknown-field check) over arbitrary JSON bodies and a parameter value for
// every operation: it must never panic, and a body it accepts must stay
// accepted when re-encoded.
func FuzzValidate(f *testing.F) {
	f.Add(`{"name":"m","head_sha":"a","output":{"title":"t","summary":"s"}}`, "1")
	f.Add(`{"state":"success","description":null}`, "x")
	f.Add(`[[[[{"a":[1,2,{"b":null}]}]]]]`, "-9")
	f.Add(`{"permissions":{"issues":"write"},"repositories":["r"]}`, "99999999999999999999")
	f.Add(`{"content":"+1"}`, "7")
	f.Add(`{"labels":["a",{"name":"b"}]}`, "a/b")
	s, err := loadSpec()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, doc, param string) {
		dec := json.NewDecoder(strings.NewReader(doc))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			return
		}
		body := []byte(doc)
		// A pathological input (exponential anyOf/oneOf explanations) must
		// fail with its input rather than stall the fuzzer.
		tm := time.AfterFunc(20*time.Second, func() { panic("no verdict after 20s for " + strconv.Quote(doc) + " " + strconv.Quote(param)) })
		defer tm.Stop()
		for _, op := range s.ops {
			params := map[string]string{}
			for _, seg := range op.segs {
				if strings.HasPrefix(seg, "{") {
					params[strings.Trim(seg, "{}")] = param
				}
			}
			r, err := http.NewRequest(op.method, "http://fake/x?page="+url.QueryEscape(param), nil)
			if err != nil {
				t.Fatal(err)
			}
			r.Header.Set("Content-Type", "application/json")
			if op.body() == nil {
				_, _ = s.validateRequest(r, op, params, nil, nil)
				continue
			}
			if errs, _ := s.validateRequest(r, op, params, body, v); len(errs) > 0 {
				continue
			}
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			d2 := json.NewDecoder(strings.NewReader(string(b)))
			d2.UseNumber()
			var v2 any
			if err := d2.Decode(&v2); err != nil {
				t.Fatal(err)
			}
			if errs, _ := s.validateRequest(r, op, params, b, v2); len(errs) > 0 {
				t.Fatalf("%s: accepted, then rejected after re-encoding: %v", op.id, errs)
			}
		}
	})
}
