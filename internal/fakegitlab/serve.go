package fakegitlab

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

type recorder struct {
	header http.Header
	status int
	body   []byte
}

func (w *recorder) json(status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"500 Internal Server Error"}`)
	}
	w.header.Set("Content-Type", "application/json")
	w.status, w.body = status, b
}

// call is one request being served.
type call struct {
	r      *http.Request
	w      *recorder
	route  string
	params map[string]string
	query  url.Values
	body   map[string]json.RawMessage
	user   int64
	proj   *project
}

type route struct {
	method   string
	template string
	segs     []string
	handler  func(*Fake, *call)
	body     bool
	required []string
	allowed  []string
}

var routes []*route

func handle(method, template string, h func(*Fake, *call), required, optional []string) {
	rt := &route{method: method, template: template, segs: strings.Split(strings.Trim(template, "/"), "/"), handler: h}
	if method == http.MethodPost || method == http.MethodPut {
		rt.body = true
		rt.required = required
		rt.allowed = append(append([]string(nil), required...), optional...)
	}
	routes = append(routes, rt)
}

func (rt *route) name() string { return rt.method + " " + rt.template }

func match(method string, segs []string) (*route, map[string]string, bool) {
	pathMatched := false
	for _, rt := range routes {
		if len(rt.segs) != len(segs) {
			continue
		}
		params := map[string]string{}
		ok := true
		for i, s := range rt.segs {
			if strings.HasPrefix(s, ":") {
				if segs[i] == "" {
					ok = false
					break
				}
				params[s[1:]] = segs[i]
			} else if s != segs[i] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		pathMatched = true
		if rt.method == method {
			return rt, params, true
		}
	}
	return nil, nil, pathMatched
}

func (f *Fake) serve(hw http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/oauth/") {
		f.serveOAuth(hw, r)
		return
	}
	w := &recorder{header: http.Header{}, status: http.StatusOK}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	entry := Request{Method: r.Method, Query: r.URL.RawQuery, Body: string(raw)}
	defer func() {
		for k, v := range w.header {
			hw.Header()[k] = v
		}
		hw.WriteHeader(w.status)
		_, _ = hw.Write(w.body)
		entry.Status = w.status
		f.mu.Lock()
		f.log = append(f.log, entry)
		f.mu.Unlock()
	}()

	escaped := r.URL.EscapedPath()
	rest, ok := strings.CutPrefix(escaped, "/api/v4/")
	entry.Path = rest
	if !ok {
		f.fail(w, "%s %s: not below /api/v4", r.Method, escaped)
		w.json(http.StatusNotFound, map[string]any{"error": "404 Not Found"})
		return
	}
	var segs []string
	for _, s := range strings.Split(rest, "/") {
		u, err := url.PathUnescape(s)
		if err != nil {
			f.fail(w, "%s %s: bad escape: %v", r.Method, escaped, err)
			w.json(http.StatusBadRequest, map[string]any{"error": "400 Bad Request"})
			return
		}
		segs = append(segs, u)
	}
	rt, params, pathOK := match(r.Method, segs)
	if rt == nil {
		if pathOK {
			f.fail(w, "%s %s: method not allowed", r.Method, escaped)
			w.json(http.StatusMethodNotAllowed, map[string]any{"error": "405 Method Not Allowed"})
		} else {
			f.fail(w, "%s %s: no such route", r.Method, escaped)
			w.json(http.StatusNotFound, map[string]any{"error": "404 Not Found"})
		}
		return
	}
	entry.Route = rt.name()
	c := &call{r: r, w: w, route: rt.name(), params: params, query: r.URL.Query()}

	auth, user, authOK := f.authenticate(c)
	entry.Auth = auth
	if !authOK {
		return
	}
	c.user = user

	if rt.body && !f.parseBody(c, rt, raw) {
		return
	}

	f.wait(rt.name())

	f.mu.Lock()
	defer f.mu.Unlock()
	if f.injectFault(w, rt.name()) {
		return
	}
	if id, ok := params["id"]; ok {
		c.proj = f.projects[id]
		// A private project is, to a non-member, a project that does not
		// exist (GitLab's find_project! answers both with not_found!).
		if c.proj == nil || !f.visible(c.proj, c.user) {
			w.json(http.StatusNotFound, map[string]any{"message": "404 Project Not Found"})
			return
		}
	}
	rt.handler(f, c)
}

// fail records a client error.
func (f *Fake) fail(_ *recorder, format string, a ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errorf(format, a...)
}

func unauthorized(w *recorder) {
	w.json(http.StatusUnauthorized, map[string]any{"message": "401 Unauthorized"})
}

// authenticate applies GitLab's rules for the three headers.
func (f *Fake) authenticate(c *call) (string, int64, bool) {
	r := c.r
	var kind, tok string
	if v := r.Header.Get("PRIVATE-TOKEN"); v != "" {
		kind, tok = "PRIVATE-TOKEN", v
	}
	if v := r.Header.Get("JOB-TOKEN"); v != "" {
		if kind != "" {
			f.fail(c.w, "%s: both %s and JOB-TOKEN sent", c.route, kind)
		}
		kind, tok = "JOB-TOKEN", v
	}
	if v := r.Header.Get("Authorization"); v != "" {
		b, ok := strings.CutPrefix(v, "Bearer ")
		if !ok {
			f.fail(c.w, "%s: Authorization header is not a Bearer token", c.route)
			unauthorized(c.w)
			return "", 0, false
		}
		if kind != "" {
			f.fail(c.w, "%s: both %s and Authorization sent", c.route, kind)
		}
		kind, tok = "Bearer", b
	}
	if kind == "" {
		f.fail(c.w, "%s: no token sent", c.route)
		unauthorized(c.w)
		return "", 0, false
	}
	f.mu.Lock()
	t, known := f.tokens[tok]
	jobOK := f.jobOK[c.route]
	now := f.now()
	f.mu.Unlock()
	if !known {
		f.fail(c.w, "%s: unknown token in %s", c.route, kind)
		unauthorized(c.w)
		return kind, 0, false
	}
	switch {
	case kind == "PRIVATE-TOKEN" && t.kind != Private,
		kind == "Bearer" && t.kind == Job,
		kind == "JOB-TOKEN" && t.kind != Job:
		f.fail(c.w, "%s: a %s token sent in %s", c.route, kindName(t.kind), kind)
		unauthorized(c.w)
		return kind, 0, false
	case t.revoked, !t.expires.IsZero() && !now.Before(t.expires):
		// {"error":"invalid_token"} for an expired OAuth token in GitLab
		// 16+; the status is what clients act on.
		unauthorized(c.w)
		return kind, 0, false
	case !scopeAllows(t.scopes, c.r.Method, c.route):
		c.w.json(http.StatusForbidden, map[string]any{"error": "insufficient_scope",
			"error_description": "The request requires higher privileges than provided by the access token.", "scope": "api read_api"})
		f.fail(c.w, "%s: the token's scopes %v do not allow it", c.route, t.scopes)
		return kind, 0, false
	case kind == "JOB-TOKEN" && !jobOK:
		// GitLab ignores JOB-TOKEN on routes that do not accept job
		// tokens: the request is anonymous, and refused.
		unauthorized(c.w)
		return kind, 0, false
	}
	return kind, t.user, true
}

func kindName(k TokenKind) string {
	switch k {
	case Job:
		return "job"
	case OAuth:
		return "OAuth"
	}
	return "private"
}

func (f *Fake) parseBody(c *call, rt *route, raw []byte) bool {
	mt, _, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		f.fail(c.w, "%s: Content-Type %q, want application/json", c.route, c.r.Header.Get("Content-Type"))
		c.w.json(http.StatusBadRequest, map[string]any{"error": "body is not JSON"})
		return false
	}
	c.body = map[string]json.RawMessage{}
	if len(bytes.TrimSpace(raw)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		if err := dec.Decode(&c.body); err != nil {
			f.fail(c.w, "%s: body: %v", c.route, err)
			c.w.json(http.StatusBadRequest, map[string]any{"error": "The provided content-type 'application/json' is not supported."})
			return false
		}
	}
	for k := range c.body {
		if !contains(rt.allowed, k) {
			f.fail(c.w, "%s: unknown field %q", c.route, k)
			c.w.json(http.StatusBadRequest, map[string]any{"error": k + " does not have a valid value"})
			return false
		}
	}
	for _, k := range rt.required {
		if _, ok := c.body[k]; !ok {
			f.fail(c.w, "%s: missing field %q", c.route, k)
			c.w.json(http.StatusBadRequest, map[string]any{"error": k + " is missing"})
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// str reads a string field; f.mu is held. A non-string is a client error.
func (f *Fake) str(c *call, k string) (string, bool) {
	v, ok := c.body[k]
	if !ok || string(v) == "null" {
		return "", true
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		f.errorf("%s: field %q: %v", c.route, k, err)
		c.w.json(http.StatusBadRequest, map[string]any{"error": k + " is invalid"})
		return "", false
	}
	return s, true
}

// strs reads several string fields into ptrs.
func (f *Fake) strs(c *call, kv ...any) bool {
	for i := 0; i+1 < len(kv); i += 2 {
		s, ok := f.str(c, kv[i].(string))
		if !ok {
			return false
		}
		*(kv[i+1].(*string)) = s
	}
	return true
}

// intParam parses a numeric path parameter; a bad one is a client error.
func (f *Fake) intParam(c *call, k string) (int64, bool) {
	n, err := strconv.ParseInt(c.params[k], 10, 64)
	if err != nil || n <= 0 {
		f.errorf("%s: %s %q is not a positive integer", c.route, k, c.params[k])
		c.w.json(http.StatusBadRequest, map[string]any{"error": k + " is invalid"})
		return 0, false
	}
	return n, true
}

func notFound(w *recorder, what string) {
	w.json(http.StatusNotFound, map[string]any{"message": fmt.Sprintf("404 %s Not Found", what)})
}
