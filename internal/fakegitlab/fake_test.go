package fakegitlab

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const sha = "0123456789abcdef0123456789abcdef01234567"

func setup(t *testing.T) *Fake {
	t.Helper()
	f := New(t)
	f.AddUser(1, "bot", true)
	f.AddToken("pat", Private, 1)
	f.AddToken("job", Job, 1)
	f.AddToken("oauth", OAuth, 1)
	f.AddProject(42, "acme/shop")
	f.SetMember(42, 1, 40)
	f.SetBranch(42, "main", sha)
	f.SetMergeRequest(42, MergeRequest{IID: 5, Title: "t", SourceBranch: "b", TargetBranch: "main", SHA: sha, Author: 1})
	return f
}

type answer struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, f *Fake, method, path, header, token, body string) answer {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.BaseURL()+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	switch header {
	case "Bearer":
		req.Header.Set("Authorization", "Bearer "+token)
	case "":
	default:
		req.Header.Set(header, token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, string(b)}
}

func TestAuth(t *testing.T) {
	for _, tc := range []struct {
		name, method, path, header, token, body string
		status                                  int
		clientError                             bool
	}{
		{"private token", "GET", "/user", "PRIVATE-TOKEN", "pat", "", 200, false},
		{"private token as bearer", "GET", "/user", "Bearer", "pat", "", 200, false},
		{"oauth bearer", "GET", "/user", "Bearer", "oauth", "", 200, false},
		{"oauth as private-token", "GET", "/user", "PRIVATE-TOKEN", "oauth", "", 401, true},
		{"job token as private-token", "GET", "/user", "PRIVATE-TOKEN", "job", "", 401, true},
		{"job token as bearer", "GET", "/user", "Bearer", "job", "", 401, true},
		{"no token", "GET", "/user", "", "", "", 401, true},
		{"unknown token", "GET", "/user", "PRIVATE-TOKEN", "nope", "", 401, true},
		{"job token on notes: GitLab ignores it", "POST", "/projects/42/merge_requests/5/notes", "JOB-TOKEN", "job", `{"body":"x"}`, 401, false},
		{"job token on statuses", "POST", "/projects/42/statuses/" + sha, "JOB-TOKEN", "job", `{"state":"running"}`, 401, false},
		{"job token on releases", "POST", "/projects/42/releases", "JOB-TOKEN", "job", `{"tag_name":"v1","ref":"main"}`, 201, false},
		{"project by path", "GET", "/projects/acme%2Fshop/merge_requests/5", "PRIVATE-TOKEN", "pat", "", 200, false},
		{"unknown project", "GET", "/projects/99/merge_requests/5", "PRIVATE-TOKEN", "pat", "", 404, false},
		{"unknown route", "GET", "/projects/42/pipelines", "PRIVATE-TOKEN", "pat", "", 404, true},
		{"wrong method", "DELETE", "/projects/42/merge_requests/5", "PRIVATE-TOKEN", "pat", "", 405, true},
		{"unknown field", "POST", "/projects/42/statuses/" + sha, "PRIVATE-TOKEN", "pat", `{"state":"running","colour":"red"}`, 400, true},
		{"missing field", "POST", "/projects/42/statuses/" + sha, "PRIVATE-TOKEN", "pat", `{"name":"x"}`, 400, true},
		{"bad state", "POST", "/projects/42/statuses/" + sha, "PRIVATE-TOKEN", "pat", `{"state":"error"}`, 400, true},
		{"not JSON", "POST", "/projects/42/merge_requests/5/notes", "PRIVATE-TOKEN", "pat", `body=x`, 400, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			a := do(t, f, tc.method, tc.path, tc.header, tc.token, tc.body)
			if a.status != tc.status {
				t.Errorf("status %d, want %d: %s", a.status, tc.status, a.body)
			}
			if got := len(f.Errors()) > 0; got != tc.clientError {
				t.Errorf("client error recorded = %v (%q), want %v", got, f.Errors(), tc.clientError)
			}
			if tc.status == 401 && a.body != `{"message":"401 Unauthorized"}` {
				t.Errorf("401 body %s", a.body)
			}
		})
	}
}

func TestAllowJobToken(t *testing.T) {
	f := setup(t)
	f.AllowJobToken("POST /projects/:id/merge_requests/:iid/notes", true)
	if a := do(t, f, "POST", "/projects/42/merge_requests/5/notes", "JOB-TOKEN", "job", `{"body":"x"}`); a.status != 201 {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	if len(f.Errors()) != 0 {
		t.Fatal(f.Errors())
	}
}

func TestNotesPagination(t *testing.T) {
	f := setup(t)
	for range 45 {
		f.AddNote(42, 5, 1, "n")
	}
	for _, tc := range []struct {
		query                 string
		n                     int
		next, prev, page, tot string
	}{
		{"", 20, "2", "", "1", "3"},
		{"?per_page=20&page=3", 5, "", "2", "3", "3"},
		{"?per_page=100", 45, "", "", "1", "1"},
		{"?per_page=500", 45, "", "", "1", "1"},
		{"?page=9", 0, "", "8", "9", "3"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			a := do(t, f, "GET", "/projects/42/merge_requests/5/notes"+tc.query, "PRIVATE-TOKEN", "pat", "")
			var list []map[string]any
			if err := json.Unmarshal([]byte(a.body), &list); err != nil {
				t.Fatal(err)
			}
			h := a.header
			if len(list) != tc.n || h.Get("X-Next-Page") != tc.next || h.Get("X-Prev-Page") != tc.prev ||
				h.Get("X-Page") != tc.page || h.Get("X-Total-Pages") != tc.tot || h.Get("X-Total") != "45" {
				t.Errorf("%d notes, headers %v", len(list), h)
			}
			if !strings.Contains(h.Get("Link"), `rel="first"`) {
				t.Errorf("Link %q", h.Get("Link"))
			}
		})
	}
	// Newest first by default, oldest first with sort=asc.
	desc := do(t, f, "GET", "/projects/42/merge_requests/5/notes?per_page=1", "PRIVATE-TOKEN", "pat", "")
	asc := do(t, f, "GET", "/projects/42/merge_requests/5/notes?per_page=1&sort=asc", "PRIVATE-TOKEN", "pat", "")
	if desc.body == asc.body {
		t.Error("sort=asc changed nothing")
	}
	if len(f.Errors()) != 0 {
		t.Fatal(f.Errors())
	}
}

func TestStatusStateMachine(t *testing.T) {
	f := setup(t)
	path := "/projects/42/statuses/" + sha
	for _, tc := range []struct {
		state  string
		status int
		msg    string
	}{
		{"pending", 201, ""},
		{"pending", 400, "Cannot transition status via :enqueue from :pending"},
		{"running", 201, ""},
		{"running", 400, "Cannot transition status via :run from :running"},
		{"pending", 400, "Cannot transition status via :enqueue from :running"},
		{"success", 201, ""},
		{"success", 201, ""}, // a finished status is followed by a new one
		{"skipped", 201, ""},
	} {
		a := do(t, f, "POST", path, "PRIVATE-TOKEN", "pat", `{"state":"`+tc.state+`","name":"mpgate"}`)
		if a.status != tc.status || !strings.Contains(a.body, tc.msg) {
			t.Errorf("%s: %d %s, want %d %q", tc.state, a.status, a.body, tc.status, tc.msg)
		}
	}
	if got := f.Statuses(42, sha); len(got) != 3 || got[2].State != "skipped" {
		t.Errorf("statuses %+v", got)
	}
	if len(f.Errors()) != 0 {
		t.Fatal(f.Errors())
	}
}

func TestFaults(t *testing.T) {
	f := setup(t)
	f.Fault("GET /user", 1, ServerError)
	f.RateLimit("GET /user", 1, 3)
	f.Fault("", 1, Forbidden)
	for _, want := range []int{502, 429, 403, 200} {
		a := do(t, f, "GET", "/user", "PRIVATE-TOKEN", "pat", "")
		if a.status != want {
			t.Fatalf("status %d, want %d", a.status, want)
		}
		if want == 429 && (a.header.Get("Retry-After") != "3" || a.header.Get("RateLimit-Remaining") != "0") {
			t.Errorf("429 headers %v", a.header)
		}
	}
	if len(f.Requests()) != 4 || len(f.Errors()) != 0 {
		t.Fatalf("requests %d, errors %v", len(f.Requests()), f.Errors())
	}
}

func TestNoteLimit(t *testing.T) {
	f := setup(t)
	body, err := json.Marshal(map[string]string{"body": strings.Repeat("x", MaxNoteChars+1)})
	if err != nil {
		t.Fatal(err)
	}
	a := do(t, f, "POST", "/projects/42/merge_requests/5/notes", "PRIVATE-TOKEN", "pat", string(body))
	if a.status != 400 || !strings.Contains(a.body, "is too long") || len(f.Errors()) != 1 {
		t.Fatalf("%d %s, errors %v", a.status, a.body, f.Errors())
	}
}

func FuzzServe(f *testing.F) {
	f.Add("GET", "/api/v4/projects/42/merge_requests/5/notes?page=2&per_page=1", "")
	f.Add("POST", "/api/v4/projects/42/statuses/"+sha, `{"state":"running","name":"x"}`)
	f.Add("PUT", "/api/v4/projects/acme%2Fshop/merge_requests/5", `{"labels":"a,b","state_event":"close"}`)
	f.Add("POST", "/api/v4/projects/42/releases", `{"tag_name":"v1","ref":"main"}`)
	f.Add("GET", "/api/v4/projects/42/repository/files/a%2Fb.json/raw?ref=main", "")
	fake := NewServer()
	defer fake.Close()
	fake.AddUser(1, "bot", true)
	fake.AddToken("pat", Private, 1)
	fake.AddProject(42, "acme/shop")
	fake.SetMember(42, 1, 40)
	fake.SetBranch(42, "main", sha)
	fake.SetMergeRequest(42, MergeRequest{IID: 5, SourceBranch: "b", TargetBranch: "main"})
	f.Fuzz(func(t *testing.T, method, target, body string) {
		req, err := http.NewRequest(method, "http://fake"+target, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("PRIVATE-TOKEN", "pat")
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		fake.serve(w, req)
		if w.Code < 200 || w.Code > 599 {
			t.Fatalf("status %d", w.Code)
		}
	})
}
