package fakegitlab

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestUsersAndAwards(t *testing.T) {
	f := setup(t)
	f.AddUser(8, "Alice", false)
	note := f.AddNote(42, 5, 8, "/rebuild")
	notePath := "/projects/42/merge_requests/5/notes/" + strconv.FormatInt(note, 10) + "/award_emoji"
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		contains                 string
	}{
		{"user by name, any case", "GET", "/users?username=alice", "", http.StatusOK, `"username":"Alice"`},
		{"no such user", "GET", "/users?username=ghost", "", http.StatusOK, "[]"},
		{"award", "POST", notePath, `{"name":"thumbsup"}`, http.StatusCreated, `"name":"thumbsup"`},
		{"award twice", "POST", notePath, `{"name":"thumbsup"}`, http.StatusNotFound, "already been taken"},
		{"another emoji", "POST", notePath, `{"name":"eyes"}`, http.StatusCreated, `"awardable_type":"Note"`},
		{"list", "GET", notePath, "", http.StatusOK, `"name":"eyes"`},
		{"missing note", "POST", "/projects/42/merge_requests/5/notes/999/award_emoji", `{"name":"eyes"}`, http.StatusNotFound, "Note Not Found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, f, tc.method, tc.path, "PRIVATE-TOKEN", "pat", tc.body)
			if a.status != tc.status || !strings.Contains(a.body, tc.contains) {
				t.Errorf("%s %s = %d %s, want %d with %q", tc.method, tc.path, a.status, a.body, tc.status, tc.contains)
			}
		})
	}
	if got := f.Awards(note); len(got) != 2 || got[0].Name != "thumbsup" || got[0].User != 1 || got[1].Name != "eyes" {
		t.Errorf("awards %+v", got)
	}
	if errs := f.Errors(); len(errs) != 0 {
		t.Errorf("errors recorded for valid calls: %v", errs)
	}
}

func TestUsersWithoutUsernameIsAClientError(t *testing.T) {
	f := NewServer()
	defer f.Close()
	f.AddUser(1, "bot", true)
	f.AddToken("pat", Private, 1)
	if a := do(t, f, "GET", "/users", "PRIVATE-TOKEN", "pat", ""); a.status != http.StatusBadRequest {
		t.Errorf("GET /users = %d, want 400", a.status)
	}
	if errs := f.Errors(); len(errs) != 1 || !strings.Contains(errs[0], "username") {
		t.Errorf("errors %v, want the missing username", errs)
	}
}
