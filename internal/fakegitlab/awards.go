package fakegitlab

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
)

// Award is an award emoji on a merge-request note.
type Award struct {
	ID     int64
	NoteID int64
	Name   string
	User   int64
}

func init() {
	handle("GET", "/users", (*Fake).listUsers, nil, nil)
	handle("POST", "/projects/:id/merge_requests/:iid/notes/:note_id/award_emoji", (*Fake).awardNote, []string{"name"}, nil)
	handle("GET", "/projects/:id/merge_requests/:iid/notes/:note_id/award_emoji", (*Fake).listAwards, nil, nil)
}

// listUsers is GET /users?username=… (the only filter served): an exact,
// case-insensitive match, an empty list when nobody has the name.
func (f *Fake) listUsers(c *call) {
	name := c.query.Get("username")
	if name == "" {
		f.errorf("GET /users without ?username= (the fake serves only that lookup)")
		c.w.json(http.StatusBadRequest, map[string]any{"error": "username is missing"})
		return
	}
	ids := make([]int64, 0, len(f.users))
	for id := range f.users {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := []map[string]any{}
	for _, id := range ids {
		if strings.EqualFold(f.users[id].Username, name) {
			out = append(out, f.userJSON(id))
		}
	}
	c.w.json(http.StatusOK, out)
}

// awardNote awards an emoji on a note; GitLab refuses the same emoji twice
// from one user with 404 "Award Emoji Name has already been taken"
// (AwardEmojis::AddService's failure rendered by not_found!).
func (f *Fake) awardNote(c *call) {
	mr, ok := f.mr(c)
	if !ok {
		return
	}
	i, ok := f.findNote(c, mr)
	if !ok {
		return
	}
	n := c.proj.notes[mr.IID][i]
	var name string
	if err := json.Unmarshal(c.body["name"], &name); err != nil || name == "" {
		f.errorf("%s: name is not a non-empty string", c.route)
		c.w.json(http.StatusBadRequest, map[string]any{"error": "name is invalid"})
		return
	}
	if f.awards == nil {
		f.awards = map[int64][]*Award{}
	}
	for _, a := range f.awards[n.ID] {
		if a.Name == name && a.User == c.user {
			c.w.json(http.StatusNotFound, map[string]any{"message": "404 Award Emoji Name has already been taken Not Found"})
			return
		}
	}
	a := &Award{ID: f.id(), NoteID: n.ID, Name: name, User: c.user}
	f.awards[n.ID] = append(f.awards[n.ID], a)
	c.w.json(http.StatusCreated, map[string]any{
		"id": a.ID, "name": a.Name, "user": f.userJSON(a.User), "created_at": ts(f.now()), "updated_at": ts(f.now()),
		"awardable_id": n.ID, "awardable_type": "Note",
	})
}

// listAwards lists a note's award emoji (one page: per_page is ignored).
func (f *Fake) listAwards(c *call) {
	mr, ok := f.mr(c)
	if !ok {
		return
	}
	i, ok := f.findNote(c, mr)
	if !ok {
		return
	}
	n := c.proj.notes[mr.IID][i]
	out := []map[string]any{}
	for _, a := range f.awards[n.ID] {
		out = append(out, map[string]any{"id": a.ID, "name": a.Name, "user": f.userJSON(a.User),
			"awardable_id": n.ID, "awardable_type": "Note"})
	}
	c.w.json(http.StatusOK, out)
}

// Awards returns the award emoji on a note.
func (f *Fake) Awards(noteID int64) []Award {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Award
	for _, a := range f.awards[noteID] {
		out = append(out, *a)
	}
	return out
}
