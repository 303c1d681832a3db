// Package fakegitlab is a fake GitLab REST v4 API over real HTTP for tests.
// It checks each request the way GitLab does — method and route, the
// authentication header (PRIVATE-TOKEN for personal and project access
// tokens, JOB-TOKEN for CI_JOB_TOKEN, Authorization: Bearer for OAuth and
// personal tokens), the JSON body client-go sends — keeps state, and answers
// with bodies shaped like the examples in GitLab's API documentation.
//
// A request GitLab would refuse because the client is wrong (unknown
// route, unknown or missing token, malformed body, unknown or missing
// field) is answered as GitLab answers it and recorded in Errors(); a test
// asserts Errors() is empty. Refusals that are GitLab's documented
// behaviour for a correct client are not errors: a CI job token used on an
// endpoint that does not accept job tokens (merge-request notes and
// discussions, commit statuses, members, merge requests, tags) gets
// GitLab's 401 {"message":"401 Unauthorized"}, because GitLab ignores the
// JOB-TOKEN header there and sees an anonymous request; a transition of a
// commit status to the state it is already in gets GitLab's 400 "Cannot
// transition status via :run from :running".
//
// Served: GET /user; POST /projects/:id/statuses/:sha; merge-request notes
// list (per_page, page, sort, order_by; X-Page, X-Next-Page,
// X-Total-Pages, X-Total, Link)/create/update/delete; discussion replies;
// GET /projects/:id/members/all/:user_id; merge requests get/list/create/
// update; raw repository files at a ref; tag and release creation;
// GET /users?username=; award emoji on merge-request notes (add, list);
// GET /projects/:id, with project visibility (SetVisibility: a private
// project is a 404 to non-members, its merge requests a 403 to Guests);
// the OAuth 2 provider of a user sign-in (oauth.go: /oauth/authorize and
// /oauth/token with PKCE, scoped and expiring OAuth tokens).
// Faults: 5xx, 429 with Retry-After, 403.
package fakegitlab

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TokenKind is how a token authenticates.
type TokenKind int

const (
	// Private is a personal, project or group access token (PRIVATE-TOKEN
	// or Authorization: Bearer).
	Private TokenKind = iota
	// Job is a CI/CD job token (JOB-TOKEN).
	Job
	// OAuth is an OAuth 2 access token (Authorization: Bearer only).
	OAuth
)

// Fake is a running fake GitLab. Create it with New (closed by the test's
// cleanup) or NewServer.
type Fake struct {
	*httptest.Server

	mu       sync.Mutex
	errs     []string
	log      []Request
	faults   []*fault
	barriers map[string]*barrier
	nextID   int64
	now      func() time.Time
	jobOK    map[string]bool // routes that accept job tokens

	users    map[int64]*User
	tokens   map[string]token
	projects map[string]*project // by ID and by path
	awards   map[int64][]*Award  // note ID → award emoji

	oauthApps map[string]oauthApp  // client ID → application
	codes     map[string]oauthCode // authorization codes not yet exchanged
	signedIn  int64                // the user who approves authorisations
	consent   bool                 // authorize shows the consent page
}

type token struct {
	kind    TokenKind
	user    int64
	revoked bool
	// scopes limit an OAuth token (nil: not limited); expires is its end
	// (zero: none).
	scopes  []string
	expires time.Time
}

// User is a GitLab user.
type User struct {
	ID       int64
	Username string
	Name     string
	Bot      bool
}

type project struct {
	id         int64
	path       string
	visibility Visibility
	members    map[int64]int // user → access level (inherited included)
	mrs        map[int]*MergeRequest
	notes      map[int][]*Note // mr iid → notes, oldest first
	statuses   map[string][]*Status
	files      map[string][]byte // ref + "\x00" + path
	branches   map[string]string // branch → sha
	tags       map[string]*Tag
	releases   []*Release
}

// Request is one logged request.
type Request struct {
	Method string
	// Path is the escaped path below /api/v4; Route the matched route
	// ("POST /projects/:id/statuses/:sha"), "" when none matched.
	Path, Route, Query string
	// Auth is the header that carried the token: "PRIVATE-TOKEN",
	// "JOB-TOKEN", "Bearer" or "".
	Auth   string
	Body   string
	Status int
}

// New starts a fake GitLab and closes it when the test ends.
func New(t testing.TB) *Fake {
	t.Helper()
	f := NewServer()
	t.Cleanup(f.Close)
	return f
}

// NewServer starts a fake GitLab outside a test; the caller closes it.
func NewServer() *Fake {
	f := &Fake{
		nextID:    100,
		now:       time.Now,
		barriers:  map[string]*barrier{},
		users:     map[int64]*User{},
		tokens:    map[string]token{},
		projects:  map[string]*project{},
		oauthApps: map[string]oauthApp{},
		codes:     map[string]oauthCode{},
		jobOK: map[string]bool{
			// GitLab's job-token allow-list for what mpgate calls:
			// releases, and raw files (fine-grained job-token
			// permissions, GitLab 18). Not notes, discussions, statuses,
			// members, merge requests or tags.
			"POST /projects/:id/releases":                       true,
			"GET /projects/:id/repository/files/:file_path/raw": true,
		},
	}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

// BaseURL is the API root to give a client ("http://127.0.0.1:port/api/v4").
func (f *Fake) BaseURL() string { return f.URL + "/api/v4" }

// AllowJobToken lets (or stops) CI job tokens call a route, e.g.
// "POST /projects/:id/merge_requests/:iid/notes", for a GitLab whose
// fine-grained job-token permissions allow it.
func (f *Fake) AllowJobToken(route string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jobOK[route] = ok
}

// AddUser registers a user.
func (f *Fake) AddUser(id int64, username string, isBot bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[id] = &User{ID: id, Username: username, Name: username, Bot: isBot}
}

// AddToken registers a token of kind acting as user.
func (f *Fake) AddToken(tok string, kind TokenKind, user int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens[tok] = token{kind: kind, user: user}
}

// Revoke makes a token answer 401 as GitLab does for a revoked or expired
// token (not a client error).
func (f *Fake) Revoke(tok string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.tokens[tok]
	t.revoked = true
	f.tokens[tok] = t
}

// AddProject registers a project by ID and full path ("group/sub/name").
func (f *Fake) AddProject(id int64, path string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := &project{
		id: id, path: path, visibility: VisibilityPublic,
		members:  map[int64]int{},
		mrs:      map[int]*MergeRequest{},
		notes:    map[int][]*Note{},
		statuses: map[string][]*Status{},
		files:    map[string][]byte{},
		branches: map[string]string{},
		tags:     map[string]*Tag{},
	}
	f.projects[strconv.FormatInt(id, 10)] = p
	f.projects[path] = p
}

// project returns a registered project; f.mu is held. An unknown one is a
// test's mistake: it is recorded in Errors() and a detached project
// returned.
func (f *Fake) project(id int64) *project {
	p := f.projects[strconv.FormatInt(id, 10)]
	if p == nil {
		f.errorf("project %d used before AddProject", id)
		p = &project{id: id, members: map[int64]int{}, mrs: map[int]*MergeRequest{}, notes: map[int][]*Note{},
			statuses: map[string][]*Status{}, files: map[string][]byte{}, branches: map[string]string{}, tags: map[string]*Tag{}}
	}
	return p
}

// SetMember gives user access level (10 guest, 20 reporter, 30 developer,
// 40 maintainer, 50 owner) on project, directly or inherited.
func (f *Fake) SetMember(projectID, user int64, level int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.project(projectID).members[user] = level
}

// SetBranch points branch at sha.
func (f *Fake) SetBranch(projectID int64, branch, sha string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.project(projectID).branches[branch] = sha
}

// SetFile stores content at path on ref (a branch, tag or SHA).
func (f *Fake) SetFile(projectID int64, ref, path string, content []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.project(projectID).files[ref+"\x00"+path] = append([]byte(nil), content...)
}

// SetMergeRequest stores (or replaces) a merge request.
func (f *Fake) SetMergeRequest(projectID int64, mr MergeRequest) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.project(projectID)
	if mr.ID == 0 {
		mr.ID = f.id()
	}
	if mr.State == "" {
		mr.State = "opened"
	}
	p.mrs[mr.IID] = &mr
}

// AddNote adds a note by author on a merge request and returns its ID;
// discussionID "" starts a new discussion.
func (f *Fake) AddNote(projectID int64, mrIID int, author int64, body string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.newNote(f.project(projectID), mrIID, author, body, "")
	return n.ID
}

func (f *Fake) id() int64 { f.nextID++; return f.nextID }

func (f *Fake) newNote(p *project, iid int, author int64, body, discussion string) *Note {
	t := f.now().UTC()
	id := f.id()
	if discussion == "" {
		discussion = fmt.Sprintf("%040x", id)
	}
	n := &Note{ID: id, Body: body, Author: author, MRIID: iid, DiscussionID: discussion, Created: t, Updated: t}
	p.notes[iid] = append(p.notes[iid], n)
	return n
}

// Notes returns a copy of a merge request's notes, oldest first.
func (f *Fake) Notes(projectID int64, mrIID int) []Note {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Note
	for _, n := range f.project(projectID).notes[mrIID] {
		out = append(out, *n)
	}
	return out
}

// Statuses returns every commit status posted on sha, oldest first (a
// status changed in place appears once, in its latest state).
func (f *Fake) Statuses(projectID int64, sha string) []Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Status
	for _, s := range f.project(projectID).statuses[sha] {
		out = append(out, *s)
	}
	return out
}

// Tags returns the project's tags by name.
func (f *Fake) Tags(projectID int64) map[string]Tag {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]Tag{}
	for k, v := range f.project(projectID).tags {
		out[k] = *v
	}
	return out
}

// Releases returns the project's releases, oldest first.
func (f *Fake) Releases(projectID int64) []Release {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Release
	for _, r := range f.project(projectID).releases {
		out = append(out, *r)
	}
	return out
}

// MergeRequests returns the project's merge requests by iid.
func (f *Fake) MergeRequests(projectID int64) map[int]MergeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[int]MergeRequest{}
	for k, v := range f.project(projectID).mrs {
		out[k] = *v
	}
	return out
}

// Requests returns the request log.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.log...)
}

// Count is how many requests matched route ("GET /user").
func (f *Fake) Count(route string) int {
	n := 0
	for _, r := range f.Requests() {
		if r.Route == route {
			n++
		}
	}
	return n
}

// Errors returns what was wrong with the client's requests.
func (f *Fake) Errors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errs...)
}

func (f *Fake) errorf(format string, a ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, a...))
}

// Note is a merge-request note.
type Note struct {
	ID           int64
	Body         string
	Author       int64
	MRIID        int
	DiscussionID string
	System       bool
	Created      time.Time
	Updated      time.Time
}

// Status is a commit status.
type Status struct {
	ID                int64
	SHA, Ref, Name    string
	State             string // pending, running, success, failed, canceled
	Description       string
	TargetURL         string
	Author            int64
	Created, Finished time.Time
}

// MergeRequest is a merge request.
type MergeRequest struct {
	ID                         int64
	IID                        int
	Title, Description, State  string // state: opened, closed, merged
	SourceBranch, TargetBranch string
	SHA, BaseSHA, MergeSHA     string
	Author                     int64
	SourceProjectID            int64
	Draft                      bool
	Labels                     []string
	// Squash is the request's "squash commits when merged" choice.
	Squash bool
}

// Tag is a repository tag.
type Tag struct {
	Name, Ref, Target, Message string
}

// Release is a release.
type Release struct {
	TagName, Name, Description, Ref string
	Author                          int64
	Created                         time.Time
}

func (f *Fake) userJSON(id int64) map[string]any {
	u := f.users[id]
	if u == nil {
		u = &User{ID: id, Username: fmt.Sprintf("user%d", id), Name: fmt.Sprintf("User %d", id)}
	}
	return map[string]any{
		"id": u.ID, "username": u.Username, "name": u.Name, "state": "active", "locked": false,
		"avatar_url": "https://secure.gravatar.com/avatar/" + u.Username + "?s=80&d=identicon",
		"web_url":    f.URL + "/" + u.Username,
	}
}
