package fakegithub

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// call is one validated request on its way to a handler (the fake's lock is
// held).
type call struct {
	f      *Fake
	w      *recorder
	r      *http.Request
	op     *operation
	params map[string]string
	body   map[string]any
	login  string
	repo   string // "owner/repo"
}

func (c *call) reply(status int, v any) { c.f.reply(c.w, c.r, status, v) }

func (c *call) notFound() { c.reply(http.StatusNotFound, ghError("Not Found")) }

func (c *call) intParam(name string) int64 {
	n, _ := strconv.ParseInt(c.params[name], 10, 64)
	return n
}

func (c *call) str(key string) string {
	s, _ := c.body[key].(string)
	return s
}

var handlers map[string]func(*call)

func init() {
	handlers = map[string]func(*call){
		"apps/create-installation-access-token":   handleAccessToken,
		"checks/create":                           handleCheckCreate,
		"checks/get":                              handleCheckGet,
		"checks/update":                           handleCheckUpdate,
		"issues/list-comments":                    handleCommentList,
		"issues/create-comment":                   handleCommentCreate,
		"issues/get-comment":                      handleCommentGet,
		"issues/update-comment":                   handleCommentUpdate,
		"issues/delete-comment":                   handleCommentDelete,
		"pulls/get":                               handlePullGet,
		"pulls/update":                            handlePullUpdate,
		"pulls/list-files":                        handlePullFiles,
		"repos/create-commit-status":              handleStatus,
		"repos/get-collaborator-permission-level": handlePermission,
		"repos/get-content":                       handleContentGet,
		"repos/create-or-update-file-contents":    handleContentPut,
		"repos/delete-file":                       handleContentDelete,
		"git/create-ref":                          handleRefCreate,
		"git/get-ref":                             handleRefGet,
		"git/create-tag":                          handleTagCreate,
		"repos/list-releases":                     handleReleaseList,
		"repos/create-release":                    handleReleaseCreate,
		"repos/get-release":                       handleReleaseGet,
		"repos/get-release-by-tag":                handleReleaseByTag,
		"repos/update-release":                    handleReleaseUpdate,
		"repos/delete-release":                    handleReleaseDelete,
	}
	for id, h := range extraHandlers {
		handlers[id] = h
	}
	for id, h := range checkHandlers {
		handlers[id] = h
	}
	for id, h := range gitDataHandlers {
		handlers[id] = h
	}
}

// example returns a deep copy of a rest-examples/NAME.json document.
func (f *Fake) example(name string) map[string]any {
	raw, err := files.ReadFile("testdata/rest-examples/" + name + ".json")
	if err != nil {
		return map[string]any{}
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return map[string]any{}
	}
	switch x := v.(type) {
	case map[string]any:
		return x
	case []any:
		if len(x) > 0 {
			if m, ok := x[0].(map[string]any); ok {
				return m
			}
		}
	}
	return map[string]any{}
}

func (f *Fake) id() int64 { f.nextID++; return f.nextID }

func (f *Fake) api(format string, a ...any) string {
	return f.URL + fmt.Sprintf(format, a...)
}

func (f *Fake) timestamp() string { return f.now().UTC().Format(time.RFC3339) }

func user(login string) map[string]any {
	typ := "User"
	if strings.HasSuffix(login, "[bot]") {
		typ = "Bot"
	}
	return map[string]any{
		"login": login, "id": len(login), "node_id": "U_" + login, "avatar_url": "https://github.com/images/error/octocat_happy.gif",
		"gravatar_id": "", "url": "https://api.github.com/users/" + login, "html_url": "https://github.com/" + login,
		"followers_url": "", "following_url": "", "gists_url": "", "starred_url": "", "subscriptions_url": "",
		"organizations_url": "", "repos_url": "", "events_url": "", "received_events_url": "", "type": typ, "site_admin": false,
	}
}

// paginate answers a list with GitHub's pagination: per_page (default 30,
// at most 100), page (from 1) and a Link header with next/last/first/prev.
func (c *call) paginate(items []any) {
	c.paginateFunc(len(items), func(i int) any { return items[i] })
}

// paginateFunc is paginate over n items built on demand (only the page's).
func (c *call) paginateFunc(n int, item func(i int) any) {
	q := c.r.URL.Query()
	per := 30
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		per = min(v, 100)
	}
	page := 1
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		page = v
	}
	last := max(1, (n+per-1)/per)
	page = min(page, last+1) // past the end: an empty page (and no overflow)
	link := func(p int, rel string) string {
		q2 := url.Values{}
		for k, v := range q {
			q2[k] = v
		}
		q2.Set("page", strconv.Itoa(p))
		q2.Set("per_page", strconv.Itoa(per))
		return fmt.Sprintf("<%s%s?%s>; rel=%q", c.f.URL, c.r.URL.EscapedPath(), q2.Encode(), rel)
	}
	var links []string
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"), link(min(page-1, last), "prev"))
	}
	if len(links) > 0 {
		c.w.header.Set("Link", strings.Join(links, ", "))
	}
	lo := min((page-1)*per, n)
	hi := min(lo+per, n)
	out := make([]any, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, item(i))
	}
	c.reply(http.StatusOK, out)
}

// ---- check runs ----

// CheckRun is a check run's state.
type CheckRun struct {
	ID                     int64
	Repo                   string
	Name, HeadSHA, Status  string
	Conclusion, DetailsURL string
	ExternalID             string
	Title, Summary, Text   string
	Annotations            []Annotation
	Actions                []map[string]any
	StartedAt, CompletedAt string
	Updates                int // PATCHes received
	AnnotationsPerRequest  []int
}

// Annotation is a stored check-run annotation.
type Annotation struct {
	Path                   string
	StartLine, EndLine     int
	StartColumn, EndColumn int
	Level, Title, Message  string
}

// CheckRuns returns the check runs of a repository ("owner/name") by id.
func (f *Fake) CheckRuns(repo string) []CheckRun {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []CheckRun
	for _, cr := range f.checkRuns {
		if cr.Repo == repo {
			cp := *cr
			cp.Annotations = append([]Annotation(nil), cr.Annotations...)
			out = append(out, cp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (c *call) applyCheck(cr *CheckRun) {
	for key, dst := range map[string]*string{"name": &cr.Name, "details_url": &cr.DetailsURL, "external_id": &cr.ExternalID,
		"status": &cr.Status, "conclusion": &cr.Conclusion, "started_at": &cr.StartedAt, "completed_at": &cr.CompletedAt} {
		if v, ok := c.body[key].(string); ok {
			*dst = v
		}
	}
	if cr.Conclusion != "" {
		cr.Status = "completed"
		if cr.CompletedAt == "" {
			cr.CompletedAt = c.f.timestamp()
		}
	}
	if cr.Status == "completed" && cr.Conclusion == "" {
		c.f.fail(c.r, "a completed check run needs a conclusion")
	}
	if out, ok := c.body["output"].(map[string]any); ok {
		for key, dst := range map[string]*string{"title": &cr.Title, "summary": &cr.Summary, "text": &cr.Text} {
			if v, ok := out[key].(string); ok {
				*dst = v
			}
		}
		if _, ok := out["title"]; !ok {
			c.f.fail(c.r, "output.title is required")
		}
		if _, ok := out["summary"]; !ok {
			c.f.fail(c.r, "output.summary is required")
		}
		anns, _ := out["annotations"].([]any)
		cr.AnnotationsPerRequest = append(cr.AnnotationsPerRequest, len(anns))
		for _, a := range anns {
			m, _ := a.(map[string]any)
			an := Annotation{Path: str(m["path"]), StartLine: num(m["start_line"]), EndLine: num(m["end_line"]),
				StartColumn: num(m["start_column"]), EndColumn: num(m["end_column"]), Level: str(m["annotation_level"]),
				Title: str(m["title"]), Message: str(m["message"])}
			if an.StartColumn != 0 && an.StartLine != an.EndLine {
				c.f.fail(c.r, "annotation columns given for a multi-line annotation")
			}
			cr.Annotations = append(cr.Annotations, an)
		}
	}
	if acts, ok := c.body["actions"].([]any); ok {
		cr.Actions = nil
		for _, a := range acts {
			m, _ := a.(map[string]any)
			cr.Actions = append(cr.Actions, m)
		}
	}
}

func str(v any) string { s, _ := v.(string); return s }

func num(v any) int {
	n, _ := v.(json.Number)
	i, _ := strconv.Atoi(string(n))
	return i
}

func (c *call) checkJSON(cr *CheckRun) map[string]any {
	out := c.f.example("check-run")
	out["id"] = cr.ID
	out["node_id"] = fmt.Sprintf("CR_%d", cr.ID)
	out["head_sha"] = cr.HeadSHA
	out["name"] = cr.Name
	out["status"] = cr.Status
	out["external_id"] = cr.ExternalID
	out["details_url"] = cr.DetailsURL
	out["url"] = c.f.api("/repos/%s/check-runs/%d", cr.Repo, cr.ID)
	out["html_url"] = fmt.Sprintf("https://github.com/%s/runs/%d", cr.Repo, cr.ID)
	out["conclusion"] = nilIfEmpty(cr.Conclusion)
	out["started_at"] = nilIfEmpty(cr.StartedAt)
	out["completed_at"] = nilIfEmpty(cr.CompletedAt)
	out["output"] = map[string]any{"title": nilIfEmpty(cr.Title), "summary": nilIfEmpty(cr.Summary), "text": nilIfEmpty(cr.Text),
		"annotations_count": len(cr.Annotations), "annotations_url": c.f.api("/repos/%s/check-runs/%d/annotations", cr.Repo, cr.ID)}
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func handleCheckCreate(c *call) {
	cr := &CheckRun{ID: c.f.id(), Repo: c.repo, HeadSHA: c.str("head_sha"), Status: "queued", StartedAt: c.f.timestamp()}
	c.applyCheck(cr)
	if cr.HeadSHA == "" || cr.Name == "" {
		c.f.fail(c.r, "checks/create needs name and head_sha")
		c.reply(http.StatusUnprocessableEntity, ghError("Invalid request"))
		return
	}
	c.f.checkRuns[cr.ID] = cr
	c.reply(http.StatusCreated, c.checkJSON(cr))
}

func (c *call) checkRun() *CheckRun {
	cr := c.f.checkRuns[c.intParam("check_run_id")]
	if cr == nil || cr.Repo != c.repo {
		c.notFound()
		return nil
	}
	return cr
}

func handleCheckGet(c *call) {
	if cr := c.checkRun(); cr != nil {
		c.reply(http.StatusOK, c.checkJSON(cr))
	}
}

func handleCheckUpdate(c *call) {
	if cr := c.checkRun(); cr != nil {
		cr.Updates++
		c.applyCheck(cr)
		c.reply(http.StatusOK, c.checkJSON(cr))
	}
}

// ---- issue comments ----

// Comment is an issue or pull-request comment.
type Comment struct {
	ID             int64
	Login, Body    string
	Number         int
	Repo           string
	Created, Saved string
}

// AddComment seeds a comment by login on issue/PR number of repo and
// returns its id.
func (f *Fake) AddComment(repo string, number int, login, body string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addComment(repo, number, login, body).ID
}

func (f *Fake) addComment(repo string, number int, login, body string) *Comment {
	cm := &Comment{ID: f.id(), Login: login, Body: body, Number: number, Repo: repo, Created: f.timestamp()}
	cm.Saved = cm.Created
	key := fmt.Sprintf("%s#%d", repo, number)
	f.comments[key] = append(f.comments[key], cm)
	return cm
}

// Comments returns the comments on issue/PR number of repo, oldest first.
func (f *Fake) Comments(repo string, number int) []Comment {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Comment
	for _, cm := range f.comments[fmt.Sprintf("%s#%d", repo, number)] {
		out = append(out, *cm)
	}
	return out
}

func (c *call) commentJSON(cm *Comment) map[string]any {
	out := c.f.example("issue-comment")
	out["id"] = cm.ID
	out["node_id"] = fmt.Sprintf("IC_%d", cm.ID)
	out["url"] = c.f.api("/repos/%s/issues/comments/%d", cm.Repo, cm.ID)
	out["html_url"] = fmt.Sprintf("https://github.com/%s/pull/%d#issuecomment-%d", cm.Repo, cm.Number, cm.ID)
	out["issue_url"] = c.f.api("/repos/%s/issues/%d", cm.Repo, cm.Number)
	out["body"] = cm.Body
	out["user"] = user(cm.Login)
	out["created_at"] = cm.Created
	out["updated_at"] = cm.Saved
	if strings.HasSuffix(cm.Login, "[bot]") {
		out["author_association"] = "NONE"
	}
	return out
}

func handleCommentList(c *call) {
	var since time.Time
	if v := c.r.URL.Query().Get("since"); v != "" {
		since, _ = time.Parse(time.RFC3339, v) // validated already
	}
	var list []*Comment
	for _, cm := range c.f.comments[fmt.Sprintf("%s#%s", c.repo, c.params["issue_number"])] {
		if saved, err := time.Parse(time.RFC3339, cm.Saved); err == nil && saved.Before(since) {
			continue
		}
		list = append(list, cm)
	}
	c.paginateFunc(len(list), func(i int) any { return c.commentJSON(list[i]) })
}

func handleCommentCreate(c *call) {
	n := int(c.intParam("issue_number"))
	cm := c.f.addComment(c.repo, n, c.login, c.str("body"))
	c.reply(http.StatusCreated, c.commentJSON(cm))
}

func (c *call) comment() (*Comment, int) {
	id := c.intParam("comment_id")
	for key, list := range c.f.comments {
		if !strings.HasPrefix(key, c.repo+"#") {
			continue
		}
		for i, cm := range list {
			if cm.ID == id {
				return cm, i
			}
		}
	}
	c.notFound()
	return nil, 0
}

func handleCommentGet(c *call) {
	if cm, _ := c.comment(); cm != nil {
		c.reply(http.StatusOK, c.commentJSON(cm))
	}
}

func handleCommentUpdate(c *call) {
	cm, _ := c.comment()
	if cm == nil {
		return
	}
	if cm.Login != c.login {
		c.reply(http.StatusForbidden, ghError("Resource not accessible by integration"))
		return
	}
	cm.Body = c.str("body")
	cm.Saved = c.f.timestamp()
	c.reply(http.StatusOK, c.commentJSON(cm))
}

func handleCommentDelete(c *call) {
	cm, i := c.comment()
	if cm == nil {
		return
	}
	key := fmt.Sprintf("%s#%d", cm.Repo, cm.Number)
	list := c.f.comments[key]
	c.f.comments[key] = append(list[:i:i], list[i+1:]...)
	c.reply(http.StatusNoContent, nil)
}

// ---- pulls ----

// Pull is a pull request's state.
type Pull struct {
	Number           int
	Title, State     string
	HeadSHA, HeadRef string
	// HeadRepo is the head repository's full name; a fork when it differs
	// from the base repository.
	HeadRepo         string
	BaseSHA, BaseRef string
	Files            []PullFile
	// Body and Draft are the description and draft flag (set by
	// pulls/create and pulls/update).
	Body  string
	Draft bool
}

// PullFile is one entry of pulls/{n}/files.
type PullFile struct {
	Filename, Status, PreviousFilename string
	Additions, Deletions               int
}

// SetPull creates or replaces a pull request of repo.
func (f *Fake) SetPull(repo string, p Pull) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p.State == "" {
		p.State = "open"
	}
	f.pulls[fmt.Sprintf("%s#%d", repo, p.Number)] = &p
}

func (c *call) pull() *Pull {
	p := c.f.pulls[fmt.Sprintf("%s#%s", c.repo, c.params["pull_number"])]
	if p == nil {
		c.notFound()
	}
	return p
}

func (c *call) pullJSON(p *Pull) map[string]any {
	out := c.pullObject("pull-request", p)
	out["changed_files"] = len(p.Files)
	return out
}

// pullObject builds a pull request from an example ("pull-request" or the
// list's "pull-request-simple-items").
func (c *call) pullObject(example string, p *Pull) map[string]any {
	out := c.f.example(example)
	out["id"] = int64(p.Number) + 500000
	out["number"] = p.Number
	out["state"] = p.State
	out["draft"] = p.Draft
	if p.Title != "" {
		out["title"] = p.Title
	}
	if p.Body != "" {
		out["body"] = p.Body
	}
	// The pull request's labels are the (SetLabels, issues/labels),
	// shaped like the example's first label.
	var tmpl map[string]any
	if arr, ok := out["labels"].([]any); ok && len(arr) > 0 {
		tmpl, _ = arr[0].(map[string]any)
	}
	labels := []any{}
	for i, name := range c.f.labels[fmt.Sprintf("%s#%d", c.repo, p.Number)] {
		l := map[string]any{}
		for k, v := range tmpl {
			l[k] = v
		}
		l["id"], l["name"] = int64(700000+i), name
		labels = append(labels, l)
	}
	out["labels"] = labels
	out["url"] = c.f.api("/repos/%s/pulls/%d", c.repo, p.Number)
	out["html_url"] = fmt.Sprintf("https://github.com/%s/pull/%d", c.repo, p.Number)
	out["requested_teams"] = []any{} // the upstream example's team lacks its required "type"
	setSide := func(side map[string]any, full, ref, sha string) {
		owner, name, _ := strings.Cut(full, "/")
		side["ref"], side["sha"], side["label"] = ref, sha, owner+":"+ref
		if repo, ok := side["repo"].(map[string]any); ok {
			repo["full_name"], repo["name"] = full, name
			repo["fork"] = full != c.repo
			if o, ok := repo["owner"].(map[string]any); ok {
				o["login"] = owner
			}
		}
	}
	if head, ok := out["head"].(map[string]any); ok {
		setSide(head, p.HeadRepo, p.HeadRef, p.HeadSHA)
	}
	if base, ok := out["base"].(map[string]any); ok {
		setSide(base, c.repo, p.BaseRef, p.BaseSHA)
	}
	return out
}

func handlePullGet(c *call) {
	if p := c.pull(); p != nil {
		c.reply(http.StatusOK, c.pullJSON(p))
	}
}

func handlePullUpdate(c *call) {
	p := c.pull()
	if p == nil {
		return
	}
	if v, ok := c.body["title"].(string); ok {
		p.Title = v
	}
	if v, ok := c.body["state"].(string); ok {
		p.State = v
	}
	if v, ok := c.body["body"].(string); ok {
		p.Body = v
	}
	if v, ok := c.body["base"].(string); ok {
		p.BaseRef = v
	}
	c.reply(http.StatusOK, c.pullJSON(p))
}

func handlePullFiles(c *call) {
	p := c.pull()
	if p == nil {
		return
	}
	c.paginateFunc(len(p.Files), func(i int) any {
		pf := p.Files[i]
		e := c.f.example("diff-entry-items")
		e["filename"], e["status"] = pf.Filename, pf.Status
		e["additions"], e["deletions"], e["changes"] = pf.Additions, pf.Deletions, pf.Additions+pf.Deletions
		if pf.PreviousFilename != "" {
			e["previous_filename"] = pf.PreviousFilename
		}
		return e
	})
}

// ---- statuses and permissions ----

// Status is a commit status.
type Status struct {
	State, Context, Description, TargetURL, Creator string
}

// Statuses returns the statuses posted for sha of repo, oldest first.
func (f *Fake) Statuses(repo, sha string) []Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Status(nil), f.statuses[repo+"@"+sha]...)
}

func handleStatus(c *call) {
	st := Status{State: c.str("state"), Context: c.str("context"), Description: c.str("description"), TargetURL: c.str("target_url"), Creator: c.login}
	if st.Context == "" {
		st.Context = "default"
	}
	if len([]rune(st.Description)) > 140 {
		c.reply(http.StatusUnprocessableEntity, ghError("Validation Failed: description is too long (maximum is 140 characters)"))
		c.f.fail(c.r, "status description over 140 characters")
		return
	}
	key := c.repo + "@" + c.params["sha"]
	c.f.statuses[key] = append(c.f.statuses[key], st)
	out := c.f.example("status")
	out["id"] = c.f.id()
	out["state"], out["context"] = st.State, st.Context
	out["description"], out["target_url"] = nilIfEmpty(st.Description), nilIfEmpty(st.TargetURL)
	out["url"] = c.f.api("/repos/%s/statuses/%s", c.repo, c.params["sha"])
	out["creator"] = user(c.login)
	c.reply(http.StatusCreated, out)
}

// SetPermission sets user's permission on repo ("admin", "maintain",
// "write", "triage", "read"); roleName, when not "", is the role_name.
func (f *Fake) SetPermission(repo, login, permission, roleName string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.permissions[repo+":"+login] = permission + "\x00" + roleName
}

func handlePermission(c *call) {
	v, ok := c.f.permissions[c.repo+":"+c.params["username"]]
	if !ok {
		c.reply(http.StatusNotFound, ghError("Not Found")) // not a collaborator
		return
	}
	perm, role, _ := strings.Cut(v, "\x00")
	out := c.f.example("repository-collaborator-permission-response-if-user-has-admin-permissions")
	// GitHub's "permission" is the legacy admin|write|read|none.
	legacy := perm
	switch perm {
	case "maintain":
		legacy = "write"
	case "triage":
		legacy = "read"
	}
	out["permission"] = legacy
	if role != "" {
		out["role_name"] = role
	} else {
		delete(out, "role_name")
	}
	u := user(c.params["username"])
	u["role_name"] = role
	out["user"] = u
	c.reply(http.StatusOK, out)
}

// ---- contents, refs, tags ----

// DefaultBranch is every fake repository's default branch.
const DefaultBranch = "main"

func contentKey(repo, ref, filePath string) string {
	if ref == "" {
		ref = DefaultBranch
	}
	return repo + ":" + ref + ":" + filePath
}

// SetContent stores a file at ref ("" = the default branch) of repo.
func (f *Fake) SetContent(repo, ref, filePath string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.contents[contentKey(repo, ref, filePath)] = append([]byte(nil), data...)
}

// Content returns a stored file and whether it exists.
func (f *Fake) Content(repo, ref, filePath string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.contents[contentKey(repo, ref, filePath)]
	return b, ok
}

func blobSHA(b []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(b))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

func (c *call) contentJSON(p string, data []byte) map[string]any {
	out := c.f.example("content-file-response-if-content-is-a-file")
	sha := blobSHA(data)
	out["name"], out["path"], out["sha"], out["size"] = path.Base(p), p, sha, len(data)
	out["content"] = base64.StdEncoding.EncodeToString(data)
	out["encoding"] = "base64"
	out["url"] = c.f.api("/repos/%s/contents/%s", c.repo, p)
	out["git_url"] = c.f.api("/repos/%s/git/blobs/%s", c.repo, sha)
	return out
}

func handleContentGet(c *call) {
	p := c.params["path"]
	data, ok := c.f.contents[contentKey(c.repo, c.r.URL.Query().Get("ref"), p)]
	if !ok {
		c.notFound()
		return
	}
	c.reply(http.StatusOK, c.contentJSON(p, data))
}

func handleContentPut(c *call) {
	p := c.params["path"]
	key := contentKey(c.repo, c.str("branch"), p)
	old, exists := c.f.contents[key]
	if exists && c.str("sha") != blobSHA(old) {
		c.reply(http.StatusConflict, ghError(fmt.Sprintf("%s does not match %s", p, c.str("sha"))))
		return
	}
	data, err := base64.StdEncoding.DecodeString(c.str("content"))
	if err != nil {
		c.f.fail(c.r, "content is not base64: "+err.Error())
		c.reply(http.StatusUnprocessableEntity, ghError("content is not valid Base64"))
		return
	}
	c.f.contents[key] = data
	out := c.f.example("file-commit")
	out["content"] = c.contentJSON(p, data)
	if commit, ok := out["commit"].(map[string]any); ok {
		sum := sha1.Sum([]byte(fmt.Sprint(c.f.id(), key)))
		commit["sha"] = hex.EncodeToString(sum[:])
		commit["message"] = c.str("message")
	}
	status := http.StatusCreated
	if exists {
		status = http.StatusOK
	}
	c.reply(status, out)
}

func handleContentDelete(c *call) {
	p := c.params["path"]
	key := contentKey(c.repo, c.str("branch"), p)
	old, ok := c.f.contents[key]
	if !ok {
		c.notFound()
		return
	}
	if c.str("sha") != blobSHA(old) {
		c.reply(http.StatusConflict, ghError("sha does not match"))
		return
	}
	delete(c.f.contents, key)
	out := c.f.example("file-commit")
	out["content"] = nil
	c.reply(http.StatusOK, out)
}

// Ref returns the sha a ref ("refs/heads/main", "refs/tags/v1") points at.
func (f *Fake) Ref(repo, ref string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.refs[repo+":"+ref]
	return s, ok
}

// SetRef creates or moves a ref.
func (f *Fake) SetRef(repo, ref, sha string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refs[repo+":"+ref] = sha
}

func (c *call) refJSON(ref, sha string) map[string]any {
	out := c.f.example("git-ref")
	out["ref"] = ref
	out["url"] = c.f.api("/repos/%s/git/%s", c.repo, ref)
	out["object"] = map[string]any{"type": "commit", "sha": sha, "url": c.f.api("/repos/%s/git/commits/%s", c.repo, sha)}
	if _, ok := c.f.tags[c.repo+":"+sha]; ok {
		// A ref at an annotated tag made with git/create-tag.
		out["object"] = map[string]any{"type": "tag", "sha": sha, "url": c.f.api("/repos/%s/git/tags/%s", c.repo, sha)}
	}
	return out
}

func handleRefCreate(c *call) {
	ref := c.str("ref")
	if !strings.HasPrefix(ref, "refs/") || strings.Count(ref, "/") < 2 {
		c.reply(http.StatusUnprocessableEntity, ghError("Reference name must start with 'refs/' and have at least two slashes."))
		return
	}
	if !isSHA(c.str("sha")) {
		c.reply(http.StatusUnprocessableEntity, ghError("Object does not exist"))
		return
	}
	if _, ok := c.f.refs[c.repo+":"+ref]; ok {
		c.reply(http.StatusUnprocessableEntity, ghError("Reference already exists"))
		return
	}
	c.f.refs[c.repo+":"+ref] = c.str("sha")
	c.syncRef(ref, c.str("sha"))
	c.reply(http.StatusCreated, c.refJSON(ref, c.str("sha")))
}

func handleRefGet(c *call) {
	ref := "refs/" + c.params["ref"]
	sha, ok := c.f.refs[c.repo+":"+ref]
	if !ok {
		c.notFound()
		return
	}
	c.reply(http.StatusOK, c.refJSON(ref, sha))
}

func handleTagCreate(c *call) {
	out := c.f.example("git-tag")
	sum := sha1.Sum([]byte(fmt.Sprint(c.f.id(), c.str("tag"), c.str("object"))))
	sha := hex.EncodeToString(sum[:])
	tagger, _ := c.body["tagger"].(map[string]any)
	if real, ok, err := c.gitTag(c.str("tag"), c.str("object"), c.str("type"), c.str("message"), tagger); ok {
		// A repository with a git directory gets a real tag object.
		if err != nil {
			c.reply(http.StatusUnprocessableEntity, ghError("Object does not exist"))
			return
		}
		sha = real
	}
	out["tag"], out["sha"], out["message"] = c.str("tag"), sha, c.str("message")
	out["url"] = c.f.api("/repos/%s/git/tags/%s", c.repo, sha)
	out["object"] = map[string]any{"type": c.str("type"), "sha": c.str("object"), "url": c.f.api("/repos/%s/git/commits/%s", c.repo, c.str("object"))}
	if t, ok := c.body["tagger"].(map[string]any); ok {
		out["tagger"] = t
	}
	c.f.tags[c.repo+":"+sha] = out
	c.reply(http.StatusCreated, out)
}

// ---- releases ----

// Releases returns the releases of repo, newest first, as JSON objects.
func (f *Fake) Releases(repo string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.releases[repo]...)
}

func handleReleaseList(c *call) {
	var items []any
	for _, r := range c.f.releases[c.repo] {
		items = append(items, r)
	}
	c.paginate(items)
}

func handleReleaseCreate(c *call) {
	tag := c.str("tag_name")
	for _, r := range c.f.releases[c.repo] {
		if r["tag_name"] == tag {
			c.reply(http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed",
				"errors": []any{map[string]any{"resource": "Release", "code": "already_exists", "field": "tag_name"}}})
			return
		}
	}
	out := c.f.example("release")
	id := c.f.id()
	out["id"], out["tag_name"], out["name"], out["body"] = id, tag, nilIfEmpty(c.str("name")), nilIfEmpty(c.str("body"))
	out["draft"], out["prerelease"] = c.body["draft"] == true, c.body["prerelease"] == true
	out["target_commitish"] = c.str("target_commitish")
	out["url"] = c.f.api("/repos/%s/releases/%d", c.repo, id)
	out["html_url"] = fmt.Sprintf("https://github.com/%s/releases/tag/%s", c.repo, tag)
	out["created_at"], out["published_at"] = c.f.timestamp(), c.f.timestamp()
	out["author"] = user(c.login)
	out["assets"] = []any{}
	c.f.releases[c.repo] = append([]map[string]any{out}, c.f.releases[c.repo]...)
	c.reply(http.StatusCreated, out)
}

func (c *call) release() (map[string]any, int) {
	id := c.params["release_id"]
	for i, r := range c.f.releases[c.repo] {
		if fmt.Sprint(r["id"]) == id {
			return r, i
		}
	}
	c.notFound()
	return nil, 0
}

func handleReleaseGet(c *call) {
	if r, _ := c.release(); r != nil {
		c.reply(http.StatusOK, r)
	}
}

func handleReleaseByTag(c *call) {
	for _, r := range c.f.releases[c.repo] {
		if r["tag_name"] == c.params["tag"] {
			c.reply(http.StatusOK, r)
			return
		}
	}
	c.notFound()
}

func handleReleaseUpdate(c *call) {
	r, _ := c.release()
	if r == nil {
		return
	}
	for _, k := range []string{"tag_name", "target_commitish", "name", "body", "draft", "prerelease"} {
		if v, ok := c.body[k]; ok {
			r[k] = v
		}
	}
	c.reply(http.StatusOK, r)
}

func handleReleaseDelete(c *call) {
	r, i := c.release()
	if r == nil {
		return
	}
	list := c.f.releases[c.repo]
	c.f.releases[c.repo] = append(list[:i:i], list[i+1:]...)
	c.reply(http.StatusNoContent, nil)
}

func isSHA(s string) bool {
	if len(s) != 40 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
