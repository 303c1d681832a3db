package fakegithub

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// The operations of testdata/github-rest-extra.openapi.json: the
// authenticated user, reactions on issue comments, listing and creating
// pull requests (and those of a commit), labels on issues.
var extraHandlers = map[string]func(*call){
	"users/get-authenticated":                         handleUserGet,
	"users/update-authenticated":                      handleUserUpdate,
	"reactions/list-for-issue-comment":                handleReactionList,
	"reactions/create-for-issue-comment":              handleReactionCreate,
	"reactions/delete-for-issue-comment":              handleReactionDelete,
	"pulls/list":                                      handlePullList,
	"pulls/create":                                    handlePullCreate,
	"repos/list-pull-requests-associated-with-commit": handleCommitPulls,
	"issues/list-labels-on-issue":                     handleLabelList,
	"issues/add-labels":                               handleLabelAdd,
	"issues/set-labels":                               handleLabelSet,
	"issues/remove-all-labels":                        handleLabelRemoveAll,
	"issues/remove-label":                             handleLabelRemove,
}

// ---- the authenticated user ----

func (c *call) userJSON() map[string]any {
	out := c.f.example("private-user")
	for k, v := range user(c.login) {
		out[k] = v
	}
	out["name"] = c.login
	out["user_view_type"] = "private"
	return out
}

// handleUserGet answers GET /user for a token's user. An installation
// token (a "[bot]" login) is refused as GitHub refuses it.
func handleUserGet(c *call) {
	if strings.HasSuffix(c.login, "[bot]") {
		c.reply(http.StatusForbidden, ghError("Resource not accessible by integration"))
		return
	}
	c.reply(http.StatusOK, c.userJSON())
}

func handleUserUpdate(c *call) {
	if strings.HasSuffix(c.login, "[bot]") {
		c.reply(http.StatusForbidden, ghError("Resource not accessible by integration"))
		return
	}
	out := c.userJSON()
	for _, k := range []string{"name", "email", "blog", "twitter_username", "company", "location", "bio"} {
		if v, ok := c.body[k]; ok {
			out[k] = v
		}
	}
	if v, ok := c.body["hireable"].(bool); ok {
		out["hireable"] = v
	}
	c.reply(http.StatusOK, out)
}

// ---- reactions on issue comments ----

// Reaction is a reaction to an issue comment.
type Reaction struct {
	ID      int64
	Login   string
	Content string // +1, -1, laugh, confused, heart, hooray, rocket, eyes
	Created string
}

// Reactions returns the reactions to comment commentID of repo, oldest
// first.
func (f *Fake) Reactions(repo string, commentID int64) []Reaction {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Reaction
	for _, r := range f.reactions[fmt.Sprintf("%s/%d", repo, commentID)] {
		out = append(out, *r)
	}
	return out
}

func (c *call) reactionJSON(r *Reaction) map[string]any {
	out := c.f.example("reaction")
	out["id"] = r.ID
	out["node_id"] = fmt.Sprintf("REA_%d", r.ID)
	out["user"] = user(r.Login)
	out["content"] = r.Content
	out["created_at"] = r.Created
	return out
}

// reactionKey is the comment's key in f.reactions, after checking the
// comment exists in the repository (else the call is answered 404).
func (c *call) reactionKey() (string, bool) {
	if cm, _ := c.comment(); cm == nil {
		return "", false
	}
	return fmt.Sprintf("%s/%s", c.repo, c.params["comment_id"]), true
}

func handleReactionList(c *call) {
	key, ok := c.reactionKey()
	if !ok {
		return
	}
	want := c.r.URL.Query().Get("content")
	var list []*Reaction
	for _, r := range c.f.reactions[key] {
		if want == "" || r.Content == want {
			list = append(list, r)
		}
	}
	c.paginateFunc(len(list), func(i int) any { return c.reactionJSON(list[i]) })
}

// handleReactionCreate adds a reaction; the same user's same reaction is
// answered 200 with the existing one, as GitHub does.
func handleReactionCreate(c *call) {
	key, ok := c.reactionKey()
	if !ok {
		return
	}
	content := c.str("content")
	for _, r := range c.f.reactions[key] {
		if r.Login == c.login && r.Content == content {
			c.reply(http.StatusOK, c.reactionJSON(r))
			return
		}
	}
	r := &Reaction{ID: c.f.id(), Login: c.login, Content: content, Created: c.f.timestamp()}
	c.f.reactions[key] = append(c.f.reactions[key], r)
	c.reply(http.StatusCreated, c.reactionJSON(r))
}

func handleReactionDelete(c *call) {
	key, ok := c.reactionKey()
	if !ok {
		return
	}
	id := c.intParam("reaction_id")
	list := c.f.reactions[key]
	for i, r := range list {
		if r.ID == id {
			c.f.reactions[key] = append(list[:i:i], list[i+1:]...)
			c.reply(http.StatusNoContent, nil)
			return
		}
	}
	c.notFound()
}

// ---- listing and creating pull requests ----

// Pulls returns the pull requests of repo by number.
func (f *Fake) Pulls(repo string) []Pull {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Pull
	for key, p := range f.pulls {
		if strings.HasPrefix(key, repo+"#") {
			cp := *p
			cp.Files = append([]PullFile(nil), p.Files...)
			out = append(out, cp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// repoPulls is the repository's pull requests, newest first (GitHub's
// default order: created, descending).
func (c *call) repoPulls() []*Pull {
	var out []*Pull
	for key, p := range c.f.pulls {
		if strings.HasPrefix(key, c.repo+"#") {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number > out[j].Number })
	return out
}

// headOf splits a head ("user:branch" or "branch") into the head
// repository's full name and the branch.
func (c *call) headOf(head string) (string, string) {
	owner, branch, ok := strings.Cut(head, ":")
	if !ok {
		return c.repo, head
	}
	_, name, _ := strings.Cut(c.repo, "/")
	return owner + "/" + name, branch
}

// handlePullList lists pull requests filtered by state (default open),
// head ("user:branch") and base, newest first; direction=asc reverses.
func handlePullList(c *call) {
	q := c.r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var list []*Pull
	for _, p := range c.repoPulls() {
		if state != "all" && p.State != state {
			continue
		}
		if h := q.Get("head"); h != "" {
			repo, branch := c.headOf(h)
			if !strings.Contains(h, ":") {
				// GitHub requires user:branch; a bare branch filters nothing.
				repo, branch = p.HeadRepo, p.HeadRef
			}
			if p.HeadRepo != repo || p.HeadRef != branch {
				continue
			}
		}
		if b := q.Get("base"); b != "" && p.BaseRef != b {
			continue
		}
		list = append(list, p)
	}
	if q.Get("direction") == "asc" {
		for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
			list[i], list[j] = list[j], list[i]
		}
	}
	c.paginateFunc(len(list), func(i int) any { return c.pullObject("pull-request-simple-items", list[i]) })
}

func validationFailed(resource, field, code, message string) map[string]any {
	e := map[string]any{"resource": resource, "field": field, "code": code}
	if message != "" {
		e["message"] = message
	}
	return map[string]any{"message": "Validation Failed", "errors": []any{e},
		"documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"}
}

// handlePullCreate opens a pull request. The head branch must exist (a
// refs/heads/… ref of the head repository: SetRef or git/create-ref), the
// title is required (the fake does not convert issues), and an open pull
// request for the same head and base is refused as GitHub refuses it.
func handlePullCreate(c *call) {
	headRepo, branch := c.headOf(c.str("head"))
	if hr := c.str("head_repo"); hr != "" {
		owner, _, _ := strings.Cut(headRepo, "/")
		headRepo = owner + "/" + hr
	}
	base := c.str("base")
	if c.str("title") == "" {
		if _, ok := c.body["issue"]; ok {
			c.f.fail(c.r, "pulls/create from an issue is not supported by the fake")
		}
		c.reply(http.StatusUnprocessableEntity, validationFailed("PullRequest", "title", "missing_field", ""))
		return
	}
	sha, ok := c.f.refs[headRepo+":refs/heads/"+branch]
	if !ok {
		c.reply(http.StatusUnprocessableEntity, validationFailed("PullRequest", "head", "invalid", ""))
		return
	}
	for _, p := range c.repoPulls() {
		if p.State == "open" && p.HeadRepo == headRepo && p.HeadRef == branch && p.BaseRef == base {
			owner, _, _ := strings.Cut(headRepo, "/")
			c.reply(http.StatusUnprocessableEntity, validationFailed("PullRequest", "", "custom",
				fmt.Sprintf("A pull request already exists for %s:%s.", owner, branch)))
			return
		}
	}
	number := 1
	for _, p := range c.repoPulls() {
		number = max(number, p.Number+1)
	}
	p := &Pull{Number: number, Title: c.str("title"), Body: c.str("body"), State: "open", Draft: c.body["draft"] == true,
		HeadRepo: headRepo, HeadRef: branch, HeadSHA: sha, BaseRef: base, BaseSHA: c.f.refs[c.repo+":refs/heads/"+base]}
	c.f.pulls[fmt.Sprintf("%s#%d", c.repo, number)] = p
	c.reply(http.StatusCreated, c.pullJSON(p))
}

// handleCommitPulls lists the pull requests whose head is the commit.
func handleCommitPulls(c *call) {
	var list []*Pull
	for _, p := range c.repoPulls() {
		if p.HeadSHA == c.params["commit_sha"] {
			list = append(list, p)
		}
	}
	c.paginateFunc(len(list), func(i int) any { return c.pullObject("pull-request-simple-items", list[i]) })
}

// ---- labels on issues ----

// Labels returns the labels of issue/PR number of repo, in the order added.
func (f *Fake) Labels(repo string, number int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.labels[fmt.Sprintf("%s#%d", repo, number)]...)
}

// SetLabels replaces the labels of issue/PR number of repo.
func (f *Fake) SetLabels(repo string, number int, labels ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.labels[fmt.Sprintf("%s#%d", repo, number)] = addLabels(nil, labels)
}

func addLabels(have, add []string) []string {
	for _, l := range add {
		dup := false
		for _, h := range have {
			if strings.EqualFold(h, l) {
				dup = true
				break
			}
		}
		if !dup {
			have = append(have, l)
		}
	}
	return have
}

func (c *call) labelKey() string {
	return fmt.Sprintf("%s#%s", c.repo, c.params["issue_number"])
}

func (c *call) labelJSON(name string) map[string]any {
	out := c.f.example("label-items")
	var id int64
	for _, r := range name {
		id = id*31 + int64(r)
	}
	out["id"] = id & 0x7fffffff
	out["node_id"] = "LA_" + url.PathEscape(name)
	out["name"] = name
	out["url"] = c.f.api("/repos/%s/labels/%s", c.repo, url.PathEscape(name))
	out["default"] = false
	return out
}

func (c *call) labelList() {
	list := c.f.labels[c.labelKey()]
	c.paginateFunc(len(list), func(i int) any { return c.labelJSON(list[i]) })
}

// bodyLabels reads {"labels": [...]} (strings or {"name": …}); the bare
// array GitHub also accepts is wrapped into that form before validation.
func (c *call) bodyLabels() []string {
	items, _ := c.body["labels"].([]any)
	var out []string
	for _, it := range items {
		switch x := it.(type) {
		case string:
			out = append(out, x)
		case map[string]any:
			out = append(out, str(x["name"]))
		}
	}
	return out
}

func handleLabelList(c *call) { c.labelList() }

func handleLabelAdd(c *call) {
	key := c.labelKey()
	c.f.labels[key] = addLabels(c.f.labels[key], c.bodyLabels())
	c.labelList()
}

func handleLabelSet(c *call) {
	c.f.labels[c.labelKey()] = addLabels(nil, c.bodyLabels())
	c.labelList()
}

func handleLabelRemoveAll(c *call) {
	delete(c.f.labels, c.labelKey())
	c.reply(http.StatusNoContent, nil)
}

func handleLabelRemove(c *call) {
	key := c.labelKey()
	list := c.f.labels[key]
	for i, l := range list {
		if strings.EqualFold(l, c.params["name"]) {
			c.f.labels[key] = append(list[:i:i], list[i+1:]...)
			c.labelList()
			return
		}
	}
	c.reply(http.StatusNotFound, ghError("Label does not exist"))
}
