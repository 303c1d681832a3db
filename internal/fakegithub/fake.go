// Package fakegithub is a fake GitHub REST API over real HTTP for tests. It
// loads GitHub's official (trimmed) OpenAPI description with kin-openapi
// and validates every request against it with openapi3filter (route,
// method, path and query parameters, the JSON body), plus what kin-openapi
// does not check: unknown query parameters and unknown body fields (GitHub
// ignores both; a client sending them has a bug), strict JSON, the headers
// that matter. It answers with bodies built from the description's
// examples updated to reflect its state, and can inject the faults a GitHub
// client must survive: 5xx, fork-token 403s, secondary and primary rate
// limits, dropped connections.
//
// A test asserts len(fake.Errors()) == 0: an invalid request is recorded
// and answered the way GitHub would (400/401/404/422).
//
// Use: f := fakegithub.New(t); point the client at f.BaseURL(); register
// credentials (AddToken, or RegisterApp + AddInstallation for App JWTs and
// installation tokens); seed state (AddComment, SetPull, SetPermission,
// SetContent, SetRef, SetLabels, SetRateLimit); program faults (Fault,
// Barrier); then assert on state (CheckRuns, Comments, Statuses, Content,
// Ref, Releases, Reactions, Pulls, Labels), on the log (Requests, Count by
// operationId), and that Errors() is empty.
//
// Served operations (all of the trimmed descriptions): check runs
// create/get/update (annotations appended across updates, at most 50 per
// request); issue comments list (per_page, page, since, Link)/create/get/
// update/delete; reactions to issue comments list/create/delete; pulls
// list (state, head, base)/create/get/update/list-files and the pulls of a
// commit; labels on issues list/add/set/remove/remove-all (a bare JSON
// array of names is accepted, as GitHub does); commit statuses;
// collaborator permission; contents get/put/delete; git refs create/get;
// git tags; with a real git repository behind the repo (SetGitDir) git
// blobs, trees and commits create, commits get, refs update (422 on a
// non-fast-forward without force) and delete; releases list/create/get/by-tag/update/delete; GET and PATCH
// /user (403 for an installation token); App installation tokens. Anything
// else, such as check-run annotations listing, is refused as invalid.
package fakegithub

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fake is a running fake GitHub. Create it with New; it is closed by the
// test's cleanup.
type Fake struct {
	*httptest.Server
	spec *spec

	barrierMu sync.Mutex
	barriers  map[string]*barrier
	holds     []*heldOp

	mu       sync.Mutex
	errs     []string
	log      []Request
	faults   []*fault
	now      func() time.Time
	nextID   int64
	tokens   map[string]string // token → login
	apps     map[int64]*app
	installs map[int64]int64 // installation → app
	minted   int
	rate     rateState
	etags    int

	checkRuns   map[int64]*CheckRun
	comments    map[string][]*Comment // "owner/repo#n" → comments, oldest first
	statuses    map[string][]Status   // "owner/repo@sha"
	permissions map[string]string     // "owner/repo:user" → permission
	pulls       map[string]*Pull      // "owner/repo#n"
	contents    map[string][]byte     // "owner/repo:ref:path"
	refs        map[string]string     // "owner/repo:refs/…" → sha
	tags        map[string]map[string]any
	releases    map[string][]map[string]any // "owner/repo"
	reactions   map[string][]*Reaction      // "owner/repo/comment_id"
	labels      map[string][]string         // "owner/repo#n"
	gitDirs     map[string]string           // "owner/repo" → a git repository (SetGitDir)

	oauthApps  map[string]oauthApp
	codes      map[string]oauthCode
	signedIn   string
	userTokens map[string]bool
	private    map[string]map[string]bool // "owner/repo" → readers
}

// Request is one logged request.
type Request struct {
	Method string
	// Path is the unescaped URL path; Query the raw query.
	Path, Query string
	// Operation is the description's operationId ("" when none matched).
	Operation string
	Body      string
	Status    int
}

type rateState struct {
	limit, remaining int
	reset            time.Time
}

type app struct {
	id   int64
	slug string
	key  *rsa.PublicKey
}

// New starts a fake GitHub and closes it when the test ends. The spec is
// loaded once per process.
func New(t testing.TB) *Fake {
	t.Helper()
	f, err := NewServer()
	if err != nil {
		t.Fatalf("fakegithub: %v", err)
	}
	t.Cleanup(f.Close)
	return f
}

var (
	specOnce sync.Once
	specVal  *spec
	specErr  error
)

// NewServer starts a fake GitHub outside a test; the caller closes it.
func NewServer() (*Fake, error) {
	specOnce.Do(func() { specVal, specErr = loadSpec() })
	if specErr != nil {
		return nil, specErr
	}
	f := &Fake{
		spec:        specVal,
		now:         time.Now,
		nextID:      1000,
		tokens:      map[string]string{},
		apps:        map[int64]*app{},
		installs:    map[int64]int64{},
		checkRuns:   map[int64]*CheckRun{},
		comments:    map[string][]*Comment{},
		statuses:    map[string][]Status{},
		permissions: map[string]string{},
		pulls:       map[string]*Pull{},
		contents:    map[string][]byte{},
		refs:        map[string]string{},
		tags:        map[string]map[string]any{},
		releases:    map[string][]map[string]any{},
		reactions:   map[string][]*Reaction{},
		labels:      map[string][]string{},
		oauthApps:   map[string]oauthApp{},
		codes:       map[string]oauthCode{},
		userTokens:  map[string]bool{},
		private:     map[string]map[string]bool{},
	}
	f.rate = rateState{limit: 5000, remaining: 5000, reset: time.Now().Add(time.Hour).Truncate(time.Second)}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	return f, nil
}

// BaseURL is the API root with a trailing slash, as go-github wants it.
func (f *Fake) BaseURL() string { return f.URL + "/" }

// Errors returns every validation error so far (one line per problem,
// prefixed by the request).
func (f *Fake) Errors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errs...)
}

// Requests returns the request log, in arrival order.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.log...)
}

// Count returns how many logged requests had the operationId (e.g.
// "checks/create"), whatever their answer.
func (f *Fake) Count(operation string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.log {
		if r.Operation == operation {
			n++
		}
	}
	return n
}

// NotModified is how many GETs were answered 304 from an ETag.
func (f *Fake) NotModified() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.etags
}

// RateRemaining is the primary rate-limit budget left (304s do not count).
func (f *Fake) RateRemaining() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rate.remaining
}

// AddToken registers a token (sent as "token T" or "Bearer T") acting as
// login, and returns it.
func (f *Fake) AddToken(token, login string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens[token] = login
	return token
}

func (f *Fake) fail(r *http.Request, msg string) {
	f.errs = append(f.errs, r.Method+" "+r.URL.Path+": "+msg)
}

// serve is the request pipeline: route, validate, fault, handle, ETag.
func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	f.await(r)
	f.mu.Lock()
	entry := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: string(body)}
	rec := &recorder{header: http.Header{}}
	if strings.HasPrefix(r.URL.Path, "/login/oauth/") {
		r.Body = io.NopCloser(bytes.NewReader(body))
		f.serveOAuth(rec, r)
	} else {
		f.handle(rec, r, body, &entry)
	}
	entry.Status = rec.status
	f.log = append(f.log, entry)
	f.mu.Unlock()
	f.holdAnswer(r, entry.Operation)
	if rec.drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		rec.status = http.StatusBadGateway
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	drop   bool
}

// handle is the REST pipeline under f.mu: admit the request (route, headers,
// body, the OpenAPI description), then answer it. A refused request is
// recorded as a failure and answered as GitHub would.
func (f *Fake) handle(w *recorder, r *http.Request, body []byte, entry *Request) {
	a, no := f.admit(r, body, entry)
	if no != nil {
		for _, why := range no.why {
			f.fail(r, why)
		}
		f.reply(w, r, no.status, no.body)
		return
	}
	f.answer(w, r, a)
}

// admitted is a request that passed every check of admit.
type admitted struct {
	op     *operation
	params map[string]string // path parameters
	login  string            // who the credential acts as
	doc    any               // the decoded JSON body; nil without one
}

// refusal is a request the fake turns down: why goes to the failures the
// tests read, status and body to the client.
type refusal struct {
	why    []string
	status int
	body   any
}

// refuse is a refusal for one reason with GitHub's error body saying msg.
func refuse(status int, why, msg string) *refusal {
	return &refusal{why: []string{why}, status: status, body: ghError(msg)}
}

// admit checks the request in GitHub's order: the path against the REST
// description's operations, the headers that matter, the body as strict
// JSON, then parameters and body against the operation's schemas. It names
// the matched operation in entry as soon as there is one.
func (f *Fake) admit(r *http.Request, body []byte, entry *Request) (admitted, *refusal) {
	var a admitted
	segs, no := pathSegments(r)
	if no != nil {
		return a, no
	}
	if a.op, a.params = f.spec.match(r.Method, segs); a.op == nil {
		return a, refuse(http.StatusNotFound, "no operation in the REST description matches", "Not Found")
	}
	entry.Operation = a.op.id
	if a.login, no = f.checkHeaders(r, a.op); no != nil {
		return a, no
	}
	trimmed, doc, no := decodeBody(r, a.op, body)
	if no != nil {
		return a, no
	}
	a.doc = doc
	if errs, status := f.spec.validateRequest(r, a.op, a.params, trimmed, doc); len(errs) > 0 {
		if status == http.StatusUnprocessableEntity {
			return a, &refusal{why: errs, status: status, body: map[string]any{"message": "Invalid request.\n\n" + strings.Join(errs, "\n"), "documentation_url": "https://docs.github.com/rest"}}
		}
		return a, &refusal{why: errs, status: http.StatusBadRequest, body: ghError(strings.Join(errs, "; "))}
	}
	return a, nil
}

// pathSegments is the request path split at "/" and unescaped.
func pathSegments(r *http.Request) ([]string, *refusal) {
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	for i, s := range segs {
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, refuse(http.StatusBadRequest, fmt.Sprintf("bad path escape: %v", err), "Bad path")
		}
		segs[i] = u
	}
	return segs, nil
}

// checkHeaders checks the headers that matter: the credential (returning
// the login it acts as), the User-Agent, the API version and Accept.
func (f *Fake) checkHeaders(r *http.Request, op *operation) (string, *refusal) {
	login, status, msg := f.authenticate(r, op)
	if status != 0 {
		return "", refuse(status, msg, msg)
	}
	if r.Header.Get("User-Agent") == "" {
		return "", refuse(http.StatusForbidden, "no User-Agent (GitHub rejects such requests)",
			"Request forbidden by administrative rules. Please make sure your request has a User-Agent header")
	}
	if v := r.Header.Get("X-GitHub-Api-Version"); v != "" && v != "2022-11-28" {
		return "", refuse(http.StatusBadRequest, "unsupported X-GitHub-Api-Version "+v, "Invalid API version")
	}
	if a := r.Header.Get("Accept"); a != "" && !acceptOK(a) {
		return "", refuse(http.StatusUnsupportedMediaType, "Accept "+a+" is not a JSON media type", "Unsupported 'Accept' header")
	}
	return login, nil
}

// decodeBody checks the body against what op takes and decodes it. It
// returns the bytes to validate (trimmed; a bare label array wrapped as
// {"labels": [...]}) and the decoded document, nil without a body.
func decodeBody(r *http.Request, op *operation, body []byte) ([]byte, any, *refusal) {
	trimmed := bytes.TrimSpace(body)
	opBody := op.body()
	if opBody != nil && !opBody.Required && bytes.Equal(trimmed, []byte("null")) {
		// GitHub takes a JSON null as "no body" where the body is
		// optional (ghinstallation sends one for access tokens).
		trimmed = nil
	}
	if len(trimmed) == 0 {
		if opBody != nil && opBody.Required {
			return nil, nil, refuse(http.StatusBadRequest, "the request body is required", "Problems parsing JSON")
		}
		return trimmed, nil, nil
	}
	if opBody == nil {
		return nil, nil, refuse(http.StatusBadRequest, "a body was sent to an operation that takes none", "Problems parsing JSON")
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		return nil, nil, refuse(http.StatusUnsupportedMediaType, "body Content-Type is "+r.Header.Get("Content-Type"), "Unsupported Content-Type")
	}
	doc, err := strictJSON(trimmed)
	if err != nil {
		return nil, nil, refuse(http.StatusBadRequest, "body is not JSON: "+err.Error(), "Problems parsing JSON")
	}
	if list, ok := doc.([]any); ok && (op.id == "issues/add-labels" || op.id == "issues/set-labels") {
		// GitHub (and its description's prose) accepts a bare array of
		// labels, which go-github sends; the schema only lists the
		// {"labels": [...]} form, so validate it as that.
		doc = map[string]any{"labels": list}
		if trimmed, err = json.Marshal(doc); err != nil {
			return nil, nil, refuse(http.StatusInternalServerError, "fake: re-encode labels: "+err.Error(), "fake error")
		}
	}
	return trimmed, doc, nil
}

// strictJSON decodes data as exactly one JSON value, numbers as
// json.Number. It is stricter than kin-openapi's decoder, which ignores
// trailing data.
func strictJSON(data []byte) (any, error) {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON value")
	}
	return doc, nil
}

// answer answers an admitted request: an injected fault, the rate limit, a
// repository the credential may not see, or the operation's handler.
func (f *Fake) answer(w *recorder, r *http.Request, a admitted) {
	op, pathParams := a.op, a.params
	if f.injectFault(w, r, op) {
		return
	}
	if f.refreshRate(); f.rate.remaining <= 0 && op.id != "apps/create-installation-access-token" {
		f.reply(w, r, http.StatusForbidden, map[string]any{
			"message":           "API rate limit exceeded for user.",
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
		})
		return
	}
	if _, cred, _ := strings.Cut(r.Header.Get("Authorization"), " "); pathParams["owner"] != "" && f.hidden(cred, pathParams["owner"]+"/"+pathParams["repo"]) {
		f.reply(w, r, http.StatusNotFound, ghError("Not Found"))
		return
	}
	obj, _ := a.doc.(map[string]any)
	c := &call{f: f, w: w, r: r, op: op, params: pathParams, body: obj, login: a.login}
	c.repo = pathParams["owner"] + "/" + pathParams["repo"]
	if h := handlers[op.id]; h != nil {
		h(c)
		f.faultAfter(w, r, op)
		return
	}
	f.fail(r, "the fake has no handler for "+op.id)
	f.reply(w, r, http.StatusNotImplemented, ghError("not implemented by the fake"))
}

func acceptOK(a string) bool {
	for _, part := range strings.Split(a, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if mt == "*/*" || mt == "application/json" || strings.HasPrefix(mt, "application/vnd.github") {
			return true
		}
	}
	return false
}

// authenticate returns the login the request acts as, or an HTTP status and
// message. The installation-token endpoint wants an App JWT; everything else
// a registered token.
func (f *Fake) authenticate(r *http.Request, op *operation) (string, int, string) {
	auth := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(auth, " ")
	if auth == "" || cred == "" {
		return "", http.StatusUnauthorized, "Requires authentication"
	}
	if op.id == "apps/create-installation-access-token" {
		if !strings.EqualFold(scheme, "Bearer") {
			return "", http.StatusUnauthorized, "A JSON web token could not be decoded"
		}
		return "", 0, ""
	}
	if !strings.EqualFold(scheme, "token") && !strings.EqualFold(scheme, "Bearer") {
		return "", http.StatusUnauthorized, "Bad credentials (scheme " + scheme + ")"
	}
	login, ok := f.tokens[cred]
	if !ok {
		return "", http.StatusUnauthorized, "Bad credentials"
	}
	return login, 0, ""
}

// reply writes a JSON answer with GitHub's rate-limit headers; GETs carry
// an ETag and answer 304 to a matching If-None-Match without spending the
// rate limit.
func (f *Fake) reply(w *recorder, r *http.Request, status int, v any) {
	var buf []byte
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			f.fail(r, "fake: marshal answer: "+err.Error())
			status, b = http.StatusInternalServerError, []byte(`{"message":"fake error"}`)
		}
		buf = b
	}
	if r.Method == http.MethodGet && status == http.StatusOK {
		sum := sha256.Sum256(append([]byte(r.Header.Get("Authorization")+"\x00"), buf...))
		etag := `W/"` + hex.EncodeToString(sum[:16]) + `"`
		w.header.Set("ETag", etag)
		if inm := r.Header.Get("If-None-Match"); inm != "" && inm == etag {
			f.etags++
			f.rateHeaders(w, false)
			w.status = http.StatusNotModified
			return
		}
	}
	f.rateHeaders(w, true)
	w.status = status
	if buf != nil {
		w.header.Set("Content-Type", "application/json; charset=utf-8")
		w.body.Write(buf)
	}
}

// SetRateLimit sets the primary budget: limit per window, remaining now,
// and when the window resets (whole seconds, as GitHub reports it). With
// remaining at 0 every request is answered 403 "API rate limit exceeded"
// until reset.
func (f *Fake) SetRateLimit(limit, remaining int, reset time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rate = rateState{limit: limit, remaining: remaining, reset: reset.Truncate(time.Second)}
}

func (f *Fake) refreshRate() {
	if now := f.now(); !now.Before(f.rate.reset) {
		f.rate.remaining, f.rate.reset = f.rate.limit, now.Add(time.Hour).Truncate(time.Second)
	}
}

func (f *Fake) rateHeaders(w *recorder, spend bool) {
	f.refreshRate()
	if spend && f.rate.remaining > 0 {
		f.rate.remaining--
	}
	w.header.Set("X-RateLimit-Limit", strconv.Itoa(f.rate.limit))
	w.header.Set("X-RateLimit-Remaining", strconv.Itoa(f.rate.remaining))
	w.header.Set("X-RateLimit-Reset", strconv.FormatInt(f.rate.reset.Unix(), 10))
	w.header.Set("X-RateLimit-Used", strconv.Itoa(f.rate.limit-f.rate.remaining))
	w.header.Set("X-RateLimit-Resource", "core")
}

func ghError(msg string) map[string]any {
	return map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest"}
}
