package fakegitlab

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// MaxNoteChars is GitLab's limit on a note's body.
const MaxNoteChars = 1_000_000

func init() {
	handle("GET", "/user", (*Fake).currentUser, nil, nil)
	handle("POST", "/projects/:id/statuses/:sha", (*Fake).postStatus,
		[]string{"state"}, []string{"ref", "name", "context", "target_url", "description", "coverage", "pipeline_id"})
	handle("GET", "/projects/:id/merge_requests/:iid/notes", (*Fake).listNotes, nil, nil)
	handle("POST", "/projects/:id/merge_requests/:iid/notes", (*Fake).createNote,
		[]string{"body"}, []string{"internal", "created_at", "merge_request_diff_head_sha"})
	handle("PUT", "/projects/:id/merge_requests/:iid/notes/:note_id", (*Fake).updateNote, []string{"body"}, nil)
	handle("DELETE", "/projects/:id/merge_requests/:iid/notes/:note_id", (*Fake).deleteNote, nil, nil)
	handle("POST", "/projects/:id/merge_requests/:iid/discussions/:discussion_id/notes", (*Fake).replyNote,
		[]string{"body"}, []string{"created_at"})
	handle("GET", "/projects/:id/members/all/:user_id", (*Fake).member, nil, nil)
	handle("GET", "/projects/:id", (*Fake).getProject, nil, nil)
	handle("GET", "/projects/:id/merge_requests/:iid", (*Fake).getMR, nil, nil)
	handle("GET", "/projects/:id/merge_requests", (*Fake).listMRs, nil, nil)
	handle("POST", "/projects/:id/merge_requests", (*Fake).createMR,
		[]string{"source_branch", "target_branch", "title"},
		[]string{"description", "labels", "remove_source_branch", "squash", "target_project_id", "assignee_id", "allow_collaboration"})
	handle("PUT", "/projects/:id/merge_requests/:iid", (*Fake).updateMR, nil,
		[]string{"title", "description", "labels", "add_labels", "remove_labels", "target_branch", "state_event", "remove_source_branch", "squash", "assignee_id"})
	handle("GET", "/projects/:id/repository/files/:file_path/raw", (*Fake).rawFile, nil, nil)
	handle("POST", "/projects/:id/repository/tags", (*Fake).createTag, []string{"tag_name", "ref"}, []string{"message"})
	handle("POST", "/projects/:id/releases", (*Fake).createRelease,
		[]string{"tag_name"}, []string{"name", "description", "ref", "tag_message", "milestones", "assets", "released_at"})
}

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func (f *Fake) currentUser(c *call) {
	u := f.userJSON(c.user)
	u["bot"] = f.users[c.user] != nil && f.users[c.user].Bot
	u["is_admin"] = false
	u["created_at"] = ts(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	u["bio"] = ""
	u["public_email"] = nil
	c.w.json(http.StatusOK, u)
}

// Commit statuses, as GitLab's Ci::CreateCommitStatusService: one status
// per (sha, name, ref) while it is pending or running, moved through the
// job state machine (pending: enqueue!; running: enqueue, run!; success!;
// drop!; cancel!; skip!); a finished one is followed by a new status. An
// event that is not a transition from the current state is refused with
// 400 "Cannot transition status via :run from :running (…)".
func (f *Fake) postStatus(c *call) {
	var state, ref, name, ctxName, target, desc string
	if !f.strs(c, "state", &state, "ref", &ref, "name", &name, "context", &ctxName, "target_url", &target, "description", &desc) {
		return
	}
	if name == "" {
		name = ctxName
	}
	if name == "" {
		name = "default"
	}
	events := map[string]string{"pending": "enqueue", "running": "run", "success": "success", "failed": "drop", "canceled": "cancel", "skipped": "skip"}
	event, ok := events[state]
	if !ok {
		f.errorf("%s: state %q", c.route, state)
		c.w.json(http.StatusBadRequest, map[string]any{"error": "state does not have a valid value"})
		return
	}
	if f.level(c.proj, c.user) < 30 {
		c.w.json(http.StatusForbidden, map[string]any{"message": "403 Forbidden"})
		return
	}
	sha := c.params["sha"]
	var st *Status
	for _, s := range c.proj.statuses[sha] {
		if s.Name == name && s.Ref == ref && (s.State == "pending" || s.State == "running") {
			st = s
		}
	}
	now := f.now().UTC()
	if st == nil {
		st = &Status{ID: f.id(), SHA: sha, Ref: ref, Name: name, State: "created", Author: c.user, Created: now}
		c.proj.statuses[sha] = append(c.proj.statuses[sha], st)
	}
	from := map[string][]string{
		"enqueue": {"created"},
		"run":     {"created", "pending"},
		"success": {"created", "pending", "running"},
		"drop":    {"created", "pending", "running"},
		"cancel":  {"created", "pending", "running"},
		"skip":    {"created", "pending"},
	}[event]
	if !contains(from, st.State) {
		c.w.json(http.StatusBadRequest, map[string]any{
			"message": fmt.Sprintf("Cannot transition status via :%s from :%s (Reason(s): Status cannot transition via \"%s\")", event, st.State, event),
		})
		return
	}
	st.State = state
	if target != "" {
		st.TargetURL = target
	}
	if desc != "" {
		st.Description = desc
	}
	if state != "pending" && state != "running" {
		st.Finished = now
	}
	c.w.json(http.StatusCreated, map[string]any{
		"id": st.ID, "sha": st.SHA, "ref": nilIfEmpty(st.Ref), "status": st.State, "name": st.Name,
		"target_url": nilIfEmpty(st.TargetURL), "description": nilIfEmpty(st.Description),
		"created_at": ts(st.Created), "started_at": ts(st.Created), "finished_at": ts(st.Finished),
		"allow_failure": false, "coverage": nil, "pipeline_id": 9000 + st.ID, "author": f.userJSON(st.Author),
	})
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (f *Fake) level(p *project, user int64) int { return p.members[user] }

func (f *Fake) mr(c *call) (*MergeRequest, bool) {
	iid, ok := f.intParam(c, "iid")
	if !ok {
		return nil, false
	}
	mr := c.proj.mrs[int(iid)]
	if mr == nil {
		c.w.json(http.StatusNotFound, map[string]any{"message": "404 Not found"})
		return nil, false
	}
	return mr, true
}

func (f *Fake) noteJSON(p *project, n *Note) map[string]any {
	return map[string]any{
		"id": n.ID, "type": nil, "body": n.Body, "attachment": nil, "author": f.userJSON(n.Author),
		"created_at": ts(n.Created), "updated_at": ts(n.Updated), "system": n.System,
		"noteable_id": int64(n.MRIID) + 5000, "noteable_type": "MergeRequest", "project_id": p.id,
		"noteable_iid": n.MRIID, "resolvable": false, "confidential": false, "internal": false,
		"imported": false, "imported_from": "none", "commands_changes": map[string]any{},
	}
}

// page applies GitLab's offset pagination: per_page (default 20, at most
// 100) and page, answered with X-* headers and a Link header.
func (f *Fake) page(c *call, total int) (lo, hi int, ok bool) {
	per, page := 20, 1
	for k, dst := range map[string]*int{"per_page": &per, "page": &page} {
		if v := c.query.Get(k); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				f.errorf("%s: %s=%q", c.route, k, v)
				c.w.json(http.StatusBadRequest, map[string]any{"error": k + " is invalid"})
				return 0, 0, false
			}
			*dst = n
		}
	}
	per = min(per, 100)
	pages := max((total+per-1)/per, 1)
	h := c.w.header
	h.Set("X-Page", strconv.Itoa(page))
	h.Set("X-Per-Page", strconv.Itoa(per))
	h.Set("X-Total", strconv.Itoa(total))
	h.Set("X-Total-Pages", strconv.Itoa(pages))
	h.Set("X-Next-Page", "")
	h.Set("X-Prev-Page", "")
	link := func(p int, rel string) string {
		q := c.r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(per))
		return fmt.Sprintf("<%s/api/v4/%s?%s>; rel=%q", f.URL, strings.TrimPrefix(c.r.URL.EscapedPath(), "/api/v4/"), q.Encode(), rel)
	}
	links := []string{}
	if page < pages {
		h.Set("X-Next-Page", strconv.Itoa(page+1))
		links = append(links, link(page+1, "next"))
	}
	if page > 1 {
		h.Set("X-Prev-Page", strconv.Itoa(page-1))
		links = append(links, link(page-1, "prev"))
	}
	links = append(links, link(1, "first"), link(pages, "last"))
	h.Set("Link", strings.Join(links, ", "))
	lo = min((page-1)*per, total)
	return lo, min(lo+per, total), true
}

func (f *Fake) listNotes(c *call) {
	mr, ok := f.mr(c)
	if !ok {
		return
	}
	notes := append([]*Note(nil), c.proj.notes[mr.IID]...)
	orderBy, sortDir := c.query.Get("order_by"), c.query.Get("sort")
	if orderBy != "" && orderBy != "created_at" && orderBy != "updated_at" || sortDir != "" && sortDir != "asc" && sortDir != "desc" {
		f.errorf("%s: order_by=%q sort=%q", c.route, orderBy, sortDir)
		c.w.json(http.StatusBadRequest, map[string]any{"error": "order_by, sort does not have a valid value"})
		return
	}
	key := func(n *Note) time.Time { return n.Created }
	if orderBy == "updated_at" {
		key = func(n *Note) time.Time { return n.Updated }
	}
	sort.SliceStable(notes, func(i, j int) bool {
		a, b := key(notes[i]), key(notes[j])
		if a.Equal(b) {
			a, b = time.Unix(notes[i].ID, 0), time.Unix(notes[j].ID, 0)
		}
		if sortDir == "asc" {
			return a.Before(b)
		}
		return b.Before(a) // GitLab's default: newest first
	})
	lo, hi, ok := f.page(c, len(notes))
	if !ok {
		return
	}
	out := []any{}
	for _, n := range notes[lo:hi] {
		out = append(out, f.noteJSON(c.proj, n))
	}
	c.w.json(http.StatusOK, out)
}

func (f *Fake) noteBody(c *call) (string, bool) {
	body, ok := f.str(c, "body")
	if !ok {
		return "", false
	}
	if strings.TrimSpace(body) == "" {
		f.errorf("%s: empty body", c.route)
		c.w.json(http.StatusBadRequest, map[string]any{"message": map[string]any{"note": []string{"can't be blank"}}})
		return "", false
	}
	if len([]rune(body)) > MaxNoteChars {
		f.errorf("%s: body of %d characters", c.route, len([]rune(body)))
		c.w.json(http.StatusBadRequest, map[string]any{"message": map[string]any{"note": []string{fmt.Sprintf("is too long (maximum is %d characters)", MaxNoteChars)}}})
		return "", false
	}
	return body, true
}

func (f *Fake) createNote(c *call) {
	mr, ok := f.mr(c)
	if !ok {
		return
	}
	body, ok := f.noteBody(c)
	if !ok {
		return
	}
	n := f.newNote(c.proj, mr.IID, c.user, body, "")
	c.w.json(http.StatusCreated, f.noteJSON(c.proj, n))
}

func (f *Fake) findNote(c *call, mr *MergeRequest) (int, bool) {
	id, ok := f.intParam(c, "note_id")
	if !ok {
		return 0, false
	}
	for i, n := range c.proj.notes[mr.IID] {
		if n.ID == id {
			return i, true
		}
	}
	c.w.json(http.StatusNotFound, map[string]any{"message": "404 Note Not Found"})
	return 0, false
}

func (f *Fake) updateNote(c *call) {
	mr, ok := f.mr(c)
	if !ok {
		return
	}
	i, ok := f.findNote(c, mr)
	if !ok {
		return
	}
	body, ok := f.noteBody(c)
	if !ok {
		return
	}
	n := c.proj.notes[mr.IID][i]
	if n.Author != c.user {
		c.w.json(http.StatusForbidden, map[string]any{"message": "403 Forbidden"})
		return
	}
	n.Body, n.Updated = body, f.now().UTC()
	c.w.json(http.StatusOK, f.noteJSON(c.proj, n))
}

func (f *Fake) deleteNote(c *call) {
	mr, ok := f.mr(c)
	if !ok {
		return
	}
	i, ok := f.findNote(c, mr)
	if !ok {
		return
	}
	n := c.proj.notes[mr.IID][i]
	if n.Author != c.user && f.level(c.proj, c.user) < 40 {
		c.w.json(http.StatusForbidden, map[string]any{"message": "403 Forbidden"})
		return
	}
	c.proj.notes[mr.IID] = append(c.proj.notes[mr.IID][:i], c.proj.notes[mr.IID][i+1:]...)
	c.w.status, c.w.body = http.StatusNoContent, nil
}

func (f *Fake) replyNote(c *call) {
	mr, ok := f.mr(c)
	if !ok {
		return
	}
	d := c.params["discussion_id"]
	found := false
	for _, n := range c.proj.notes[mr.IID] {
		found = found || n.DiscussionID == d
	}
	if !found {
		c.w.json(http.StatusNotFound, map[string]any{"message": "404 Discussion Not Found"})
		return
	}
	body, ok := f.noteBody(c)
	if !ok {
		return
	}
	n := f.newNote(c.proj, mr.IID, c.user, body, d)
	out := f.noteJSON(c.proj, n)
	out["type"] = "DiscussionNote"
	c.w.json(http.StatusCreated, out)
}

func (f *Fake) member(c *call) {
	uid, ok := f.intParam(c, "user_id")
	if !ok {
		return
	}
	lvl := c.proj.members[uid]
	if lvl == 0 {
		c.w.json(http.StatusNotFound, map[string]any{"message": "404 Not found"})
		return
	}
	m := f.userJSON(uid)
	m["access_level"] = lvl
	m["created_at"] = ts(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	m["expires_at"] = nil
	m["membership_state"] = "active"
	m["created_by"] = f.userJSON(1)
	c.w.json(http.StatusOK, m)
}

func (f *Fake) mrJSON(p *project, mr *MergeRequest) map[string]any {
	src := mr.SourceProjectID
	if src == 0 {
		src = p.id
	}
	labels := mr.Labels
	if labels == nil {
		labels = []string{}
	}
	return map[string]any{
		"id": mr.ID, "iid": mr.IID, "project_id": p.id, "title": mr.Title, "description": mr.Description,
		"state": mr.State, "created_at": ts(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)),
		"updated_at": ts(f.now()), "merged_by": nil, "merged_at": nil, "closed_by": nil, "closed_at": nil,
		"target_branch": mr.TargetBranch, "source_branch": mr.SourceBranch, "user_notes_count": len(p.notes[mr.IID]),
		"upvotes": 0, "downvotes": 0, "author": f.userJSON(mr.Author), "assignees": []any{}, "assignee": nil,
		"reviewers": []any{}, "source_project_id": src, "target_project_id": p.id, "labels": labels,
		"draft": mr.Draft, "work_in_progress": mr.Draft, "milestone": nil, "merge_when_pipeline_succeeds": false,
		"merge_status": "can_be_merged", "detailed_merge_status": "mergeable", "sha": mr.SHA,
		"merge_commit_sha": nilIfEmpty(mr.MergeSHA), "squash_commit_sha": nil, "discussion_locked": nil,
		"should_remove_source_branch": nil, "force_remove_source_branch": false,
		"reference": fmt.Sprintf("!%d", mr.IID), "web_url": fmt.Sprintf("%s/%s/-/merge_requests/%d", f.URL, p.path, mr.IID),
		"references": map[string]any{"short": fmt.Sprintf("!%d", mr.IID), "relative": fmt.Sprintf("!%d", mr.IID), "full": fmt.Sprintf("%s!%d", p.path, mr.IID)},
		"squash":     mr.Squash, "has_conflicts": false, "blocking_discussions_resolved": true,
		"diff_refs": map[string]any{"base_sha": nilIfEmpty(mr.BaseSHA), "head_sha": nilIfEmpty(mr.SHA), "start_sha": nilIfEmpty(mr.BaseSHA)},
	}
}

// forbidMRs answers GitLab's 403 to a user who sees the project but may
// not read its merge requests (a Guest of a private project).
func (f *Fake) forbidMRs(c *call) bool {
	if f.readsMergeRequests(c.proj, c.user) {
		return false
	}
	c.w.json(http.StatusForbidden, map[string]any{"message": "403 Forbidden"})
	return true
}

// getProject is GET /projects/:id with the fields of GitLab's
// documented example that a client might read, and the caller's own
// access in permissions.project_access (null for a non-member).
func (f *Fake) getProject(c *call) {
	p := c.proj
	name := p.path[strings.LastIndex(p.path, "/")+1:]
	ns := strings.TrimSuffix(strings.TrimSuffix(p.path, name), "/")
	var access any
	if lvl := p.members[c.user]; lvl > 0 {
		access = map[string]any{"access_level": lvl, "notification_level": 3}
	}
	def := any(nil)
	if _, ok := p.branches["main"]; ok {
		def = "main"
	}
	c.w.json(http.StatusOK, map[string]any{
		"id": p.id, "name": name, "path": name, "path_with_namespace": p.path,
		"name_with_namespace": strings.ReplaceAll(p.path, "/", " / "), "description": nil,
		"default_branch": def, "visibility": string(p.visibility), "archived": false,
		"web_url": f.URL + "/" + p.path, "http_url_to_repo": f.URL + "/" + p.path + ".git",
		"namespace":   map[string]any{"full_path": ns, "path": ns[strings.LastIndex(ns, "/")+1:], "kind": "group"},
		"permissions": map[string]any{"project_access": access, "group_access": nil},
	})
}

func (f *Fake) getMR(c *call) {
	if f.forbidMRs(c) {
		return
	}
	if mr, ok := f.mr(c); ok {
		c.w.json(http.StatusOK, f.mrJSON(c.proj, mr))
	}
}

func (f *Fake) listMRs(c *call) {
	if f.forbidMRs(c) {
		return
	}
	state, src, tgt := c.query.Get("state"), c.query.Get("source_branch"), c.query.Get("target_branch")
	if state != "" && !contains([]string{"opened", "closed", "locked", "merged", "all"}, state) {
		f.errorf("%s: state=%q", c.route, state)
		c.w.json(http.StatusBadRequest, map[string]any{"error": "state does not have a valid value"})
		return
	}
	var list []*MergeRequest
	for _, mr := range c.proj.mrs {
		if (state == "" || state == "all" || mr.State == state) && (src == "" || mr.SourceBranch == src) && (tgt == "" || mr.TargetBranch == tgt) {
			list = append(list, mr)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].IID > list[j].IID })
	lo, hi, ok := f.page(c, len(list))
	if !ok {
		return
	}
	out := []any{}
	for _, mr := range list[lo:hi] {
		out = append(out, f.mrJSON(c.proj, mr))
	}
	c.w.json(http.StatusOK, out)
}

// squash reads the optional boolean "squash" (nil when absent).
func (f *Fake) squash(c *call) (*bool, bool) {
	raw, ok := c.body["squash"]
	if !ok {
		return nil, true
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		f.errorf("%s: squash: %v", c.route, err)
		c.w.json(http.StatusBadRequest, map[string]any{"error": "squash is invalid"})
		return nil, false
	}
	return &b, true
}

func (f *Fake) labels(c *call, field string) ([]string, bool) {
	raw, ok := c.body[field]
	if !ok {
		return nil, true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if s == "" {
			return []string{}, true
		}
		return strings.Split(s, ","), true
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		f.errorf("%s: %s: %v", c.route, field, err)
		c.w.json(http.StatusBadRequest, map[string]any{"error": field + " is invalid"})
		return nil, false
	}
	return list, true
}

func (f *Fake) createMR(c *call) {
	var src, tgt, title, desc string
	if !f.strs(c, "source_branch", &src, "target_branch", &tgt, "title", &title, "description", &desc) {
		return
	}
	labels, ok := f.labels(c, "labels")
	if !ok {
		return
	}
	squash, ok := f.squash(c)
	if !ok {
		return
	}
	for _, mr := range c.proj.mrs {
		if mr.State == "opened" && mr.SourceBranch == src && mr.TargetBranch == tgt {
			c.w.json(http.StatusConflict, map[string]any{"message": []string{fmt.Sprintf("Another open merge request already exists for this source branch: !%d", mr.IID)}})
			return
		}
	}
	iid := 1
	for k := range c.proj.mrs {
		iid = max(iid, k+1)
	}
	mr := &MergeRequest{ID: f.id(), IID: iid, Title: title, Description: desc, State: "opened",
		SourceBranch: src, TargetBranch: tgt, SHA: c.proj.branches[src], BaseSHA: c.proj.branches[tgt],
		Author: c.user, Labels: labels, Squash: squash != nil && *squash}
	c.proj.mrs[iid] = mr
	c.w.json(http.StatusCreated, f.mrJSON(c.proj, mr))
}

func (f *Fake) updateMR(c *call) {
	mr, ok := f.mr(c)
	if !ok {
		return
	}
	var title, desc, tgt, ev string
	if !f.strs(c, "title", &title, "description", &desc, "target_branch", &tgt, "state_event", &ev) {
		return
	}
	labels, ok := f.labels(c, "labels")
	if !ok {
		return
	}
	add, ok := f.labels(c, "add_labels")
	if !ok {
		return
	}
	remove, ok := f.labels(c, "remove_labels")
	if !ok {
		return
	}
	if _, set := c.body["title"]; set {
		mr.Title = title
	}
	if _, set := c.body["description"]; set {
		mr.Description = desc
	}
	if tgt != "" {
		mr.TargetBranch = tgt
	}
	if labels != nil {
		mr.Labels = labels
	}
	// add_labels and remove_labels change the set the request has, as
	// GitLab's "Update MR" does (labels replaces it).
	for _, l := range add {
		if l != "" && !slices.Contains(mr.Labels, l) {
			mr.Labels = append(mr.Labels, l)
		}
	}
	if len(remove) > 0 {
		mr.Labels = slices.DeleteFunc(slices.Clone(mr.Labels), func(l string) bool { return slices.Contains(remove, l) })
	}
	squash, ok := f.squash(c)
	if !ok {
		return
	}
	if squash != nil {
		mr.Squash = *squash
	}
	switch ev {
	case "":
	case "close":
		mr.State = "closed"
	case "reopen":
		mr.State = "opened"
	default:
		f.errorf("%s: state_event %q", c.route, ev)
		c.w.json(http.StatusBadRequest, map[string]any{"error": "state_event does not have a valid value"})
		return
	}
	c.w.json(http.StatusOK, f.mrJSON(c.proj, mr))
}

func (f *Fake) rawFile(c *call) {
	path, ref := c.params["file_path"], c.query.Get("ref")
	if ref == "" {
		ref = "HEAD"
	}
	content, ok := c.proj.files[ref+"\x00"+path]
	if !ok {
		if sha, isBranch := c.proj.branches[ref]; isBranch {
			content, ok = c.proj.files[sha+"\x00"+path]
		}
	}
	if !ok {
		notFound(c.w, "File")
		return
	}
	h := c.w.header
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Gitlab-File-Name", path[strings.LastIndex(path, "/")+1:])
	h.Set("X-Gitlab-File-Path", path)
	h.Set("X-Gitlab-Ref", ref)
	h.Set("X-Gitlab-Size", strconv.Itoa(len(content)))
	c.w.status, c.w.body = http.StatusOK, append([]byte(nil), content...)
}

// resolve turns a branch, tag or 40-hex SHA into a commit SHA.
func resolve(p *project, ref string) (string, bool) {
	if sha, ok := p.branches[ref]; ok {
		return sha, true
	}
	if t, ok := p.tags[ref]; ok {
		return t.Target, true
	}
	if len(ref) == 40 && strings.Trim(ref, "0123456789abcdef") == "" {
		return ref, true
	}
	return "", false
}

func (f *Fake) tagJSON(t *Tag) map[string]any {
	return map[string]any{
		"name": t.Name, "message": t.Message, "target": t.Target, "release": nil, "protected": false,
		"created_at": nil,
		"commit":     map[string]any{"id": t.Target, "short_id": t.Target[:min(8, len(t.Target))], "title": "commit", "parent_ids": []string{}},
	}
}

func (f *Fake) addTag(c *call, name, ref, message string) (*Tag, bool) {
	if _, exists := c.proj.tags[name]; exists {
		c.w.json(http.StatusBadRequest, map[string]any{"message": fmt.Sprintf("Tag %s already exists", name)})
		return nil, false
	}
	sha, ok := resolve(c.proj, ref)
	if !ok {
		c.w.json(http.StatusBadRequest, map[string]any{"message": fmt.Sprintf("Target %s is invalid", ref)})
		return nil, false
	}
	t := &Tag{Name: name, Ref: ref, Target: sha, Message: message}
	c.proj.tags[name] = t
	return t, true
}

func (f *Fake) createTag(c *call) {
	if f.level(c.proj, c.user) < 30 {
		c.w.json(http.StatusForbidden, map[string]any{"message": "403 Forbidden"})
		return
	}
	var name, ref, msg string
	if !f.strs(c, "tag_name", &name, "ref", &ref, "message", &msg) {
		return
	}
	if t, ok := f.addTag(c, name, ref, msg); ok {
		c.w.json(http.StatusCreated, f.tagJSON(t))
	}
}

func (f *Fake) createRelease(c *call) {
	if f.level(c.proj, c.user) < 30 {
		c.w.json(http.StatusForbidden, map[string]any{"message": "403 Forbidden"})
		return
	}
	var tag, name, desc, ref, tagMsg string
	if !f.strs(c, "tag_name", &tag, "name", &name, "description", &desc, "ref", &ref, "tag_message", &tagMsg) {
		return
	}
	for _, r := range c.proj.releases {
		if r.TagName == tag {
			c.w.json(http.StatusConflict, map[string]any{"message": "Release already exists"})
			return
		}
	}
	t, exists := c.proj.tags[tag]
	if !exists {
		if ref == "" {
			c.w.json(http.StatusUnprocessableEntity, map[string]any{"message": "Ref is not specified"})
			return
		}
		if t, exists = f.addTag(c, tag, ref, tagMsg); !exists {
			return
		}
	}
	if name == "" {
		name = tag
	}
	r := &Release{TagName: tag, Name: name, Description: desc, Ref: ref, Author: c.user, Created: f.now().UTC()}
	c.proj.releases = append(c.proj.releases, r)
	c.w.json(http.StatusCreated, map[string]any{
		"tag_name": r.TagName, "name": r.Name, "description": r.Description, "description_html": nil,
		"created_at": ts(r.Created), "released_at": ts(r.Created), "upcoming_release": false,
		"author": f.userJSON(r.Author), "commit": f.tagJSON(t)["commit"], "milestones": []any{},
		"commit_path": fmt.Sprintf("/%s/-/commit/%s", c.proj.path, t.Target), "tag_path": fmt.Sprintf("/%s/-/tags/%s", c.proj.path, tag),
		"assets":    map[string]any{"count": 0, "sources": []any{}, "links": []any{}},
		"evidences": []any{}, "_links": map[string]any{"self": fmt.Sprintf("%s/%s/-/releases/%s", f.URL, c.proj.path, tag)},
	})
}
