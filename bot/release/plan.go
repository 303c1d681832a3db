// Package release keeps a changelog per module and plans and applies
// versioned, tagged releases from a repository's history.
//
// Entries come from three sources, for what merged since a module's newest
// tag: Conventional Commits messages (routed to modules by the files each
// commit touches, never by scope: a scope naming a module the commit did not
// touch is ignored, as release-please does), a ```changelog block in a merged
// request's description ("payment: fix: rounding of totals", which names its
// module explicitly), and change files under .changes/ (changesets style,
// consumed by Apply). One change counts once: entries are keyed by request
// number (or commit sha without one), and for a key and module an explicit
// source replaces the commit messages (change file over block over commits).
//
// Plan changes nothing; Apply writes the changelogs, deletes the consumed
// change files, commits and tags locally, and refuses when the branch moved
// since the plan or the tags or sections already exist. Pushing and forge
// releases are the caller's.
//
// Rules, in one place:
//   - Modules come from .mpgate.yml, else from the first project's
//     mini-program: one per subpackage (name = root) and "app" for the rest
//     (see Modules). A file belongs to the module whose matching glob has the
//     longest literal prefix; on a tie the module listed first wins. Files
//     under dot-directories (.changes, .github) match no "**" and belong to
//     no module.
//   - Versions: a module's newest tag of its template reachable from HEAD;
//     none is 0.0.0 and the first release is 0.1.0. fix/perf/refactor/revert
//     → patch, feat → minor, "!" or BREAKING CHANGE → major; below 1.0.0 a
//     breaking change bumps the minor version (see Version.Next).
//   - Commit types chore, docs, test, ci, build and style make no entry;
//     neither do requests labelled no-changelog (gates.changelog.label).
//   - With a release PR/MR: Apply with NoTags on the release branch; after
//     the merge, Apply of a new plan (or TagReleases) tags the merged release
//     on the commit that added its sections, found from the changelogs — no
//     labels or state to get stuck (see Untagged). The release commit
//     records the head it was planned at (ReleaseHeadTrailer); later plans
//     count a module from that head, not from its tag, so a request merged
//     while the release PR/MR was open keeps its entry for the next release
//     even when a squash or rebase merge put it behind the tag.
package release

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mpgate/mpgate/checks/config"
)

// NoChangelogLabel on a request: it needs no entry, and makes none (the
// default of gates.changelog.label, which replaces it when set).
const NoChangelogLabel = "no-changelog"

// Request is a merged pull/merge request as the forge reports it.
type Request struct {
	Number int
	Title  string
	Body   string
	Labels []string
}

// Sources gives the request a commit was merged with; the forge adapters
// implement it (GitHub: pulls associated with a commit; GitLab: merge
// requests of a commit). It returns nil, nil when there is none. It is
// called once per commit in a module's range (a module never released
// reads its whole history): adapters should cache. A request's Conventional
// Commits title, when it has one, replaces its commits' messages.
type Sources interface {
	RequestForCommit(ctx context.Context, sha string) (*Request, error)
}

// SizeSource gives a module's size at its previous release and now, from
// stored reports; ok is false when either is unknown. sinceRev is the
// commit of the module's newest tag ("" for none), headRev the planned head.
type SizeSource interface {
	ModuleSize(ctx context.Context, module, sinceRev, headRev string) (then, now int64, ok bool, err error)
}

// PlanOptions tune Plan.
type PlanOptions struct {
	// Head is the revision to release; empty is HEAD.
	Head string
	// Sources finds merged requests; nil reads request numbers from
	// "(#123)" at the end of commit subjects and uses commit messages only.
	Sources Sources
	// Sizes, when set, adds each module's size change to its notes.
	Sizes SizeSource
	// Held are modules failing a gate on the default branch: not released,
	// the reason shown in the plan.
	Held map[string]string
	// Date of the sections; zero is today (UTC).
	Date time.Time
}

// Source says where an entry came from.
type Source string

// Entry sources.
const (
	FromCommit     Source = "commit"
	FromRequest    Source = "request"
	FromChangeFile Source = "change-file"
)

// Entry is one line of a changelog section.
type Entry struct {
	Module  string
	Section Section
	Bump    Bump
	Scope   string
	Text    string
	Source  Source
	Commit  string // full sha ("" for a change file not yet committed)
	Request int    // 0 when unknown
	File    string // the change file, for FromChangeFile
}

// key identifies the change an entry belongs to (dedup key).
func (e Entry) key() string {
	if e.Request > 0 {
		return "#" + strconv.Itoa(e.Request)
	}
	if e.Commit != "" {
		return e.Commit
	}
	return "file:" + e.File
}

// SizeChange is a module's size at its previous release and now.
type SizeChange struct{ Then, Now int64 }

// ModulePlan is one module's part of a plan.
type ModulePlan struct {
	Name      string
	Changelog string
	// CurrentTag is the newest tag of the module's template reachable from
	// the head; "" when it was never released (Current is 0.0.0).
	CurrentTag string
	Current    Version
	// Untagged: CurrentTag is a merged release not tagged yet.
	Untagged bool
	Next     Version
	NextTag  string
	Bump     Bump
	Entries  []Entry
	// Release: the module has entries and is not held.
	Release bool
	// Held is the reason the module is held back, "" when not held.
	Held string
	Size *SizeChange
	// API is what the release changes in the module's public API since
	// the previous release; nil when unchanged or never released.
	API *APIChange
	// Section is the new changelog section (Markdown, "## [1.3.0] - date"
	// heading); empty when there are no entries.
	Section string
	// Notes are the release notes (the section without its heading, and the
	// size change when known), for a GitHub/GitLab release.
	Notes string
	// ChangeFiles are the change files this release consumes.
	ChangeFiles []string
}

// ReleasePlan is what a release would do.
type ReleasePlan struct {
	// Head is the commit the plan was computed at; Apply refuses any other.
	Head    string
	Date    string
	Modules []*ModulePlan
	// Untagged are releases merged (a release PR/MR) but not tagged yet;
	// Apply tags them first. Their modules' Current is that release.
	Untagged []AppliedTag
	// Problems are inputs that could not be read (invalid change files,
	// unknown modules); Apply refuses a plan with problems.
	Problems []string
}

// Errors of Plan and Apply.
var (
	// ErrStale: the branch moved since the plan was made.
	ErrStale = errors.New("branch moved since the release plan")
	// ErrReleased: a tag or changelog section the plan would write exists.
	ErrReleased = errors.New("already released")
	// ErrProblems: the plan has problems to fix first.
	ErrProblems = errors.New("release plan has problems")
	// ErrDirty: files Apply writes have uncommitted changes.
	ErrDirty = errors.New("uncommitted changes")
)

// Releases lists the modules that would be released.
func (p *ReleasePlan) Releases() []*ModulePlan {
	var out []*ModulePlan
	for _, m := range p.Modules {
		if m.Release {
			out = append(out, m)
		}
	}
	return out
}

// CommitMessage is the release commit's message (and a release PR title):
// "chore(release): payment@v1.3.0, app@v0.4.0".
func (p *ReleasePlan) CommitMessage() string {
	var tags []string
	for _, m := range p.Releases() {
		tags = append(tags, m.NextTag)
	}
	return releaseSubject + strings.Join(tags, ", ")
}

// releaseSubject starts the subject of a release commit.
const releaseSubject = "chore(release): "

// Plan computes the release of every module of the repository at repoDir (a
// work tree) from its history. It changes nothing.
func Plan(ctx context.Context, repoDir string, cfg *config.Config, opts PlanOptions) (*ReleasePlan, error) {
	headRev := cmp.Or(opts.Head, "HEAD")
	head, err := revParse(ctx, repoDir, headRev)
	if err != nil {
		return nil, fmt.Errorf("release plan: %w", err)
	}
	if head == "" {
		return nil, fmt.Errorf("release plan: %s is not a commit", headRev)
	}
	mods, err := Modules(repoDir, cfg)
	if err != nil {
		return nil, fmt.Errorf("release plan: %w", err)
	}
	date := opts.Date
	if date.IsZero() {
		date = time.Now().UTC()
	}
	plan := &ReleasePlan{Head: head, Date: date.Format("2006-01-02")}
	g := &gatherer{ctx: ctx, dir: repoDir, router: NewRouter(mods), sources: opts.Sources,
		logs: map[string][]logEntry{}, requests: map[string]*Request{}, reported: map[string]bool{}, label: exemptLabel(cfg)}
	pl := &planner{ctx: ctx, dir: repoDir, cfg: cfg, opts: opts, head: head, date: plan.Date, g: g}
	if pl.tags, err = mergedTags(ctx, repoDir, head); err != nil {
		return nil, fmt.Errorf("release plan: %w", err)
	}
	if pl.changeFiles, err = g.changeFiles(head); err != nil {
		return nil, fmt.Errorf("release plan: %w", err)
	}
	plan.Problems = append(plan.Problems, pl.changeFiles.problems...)
	if pl.untagged, err = Untagged(ctx, repoDir, cfg, head); err != nil {
		return nil, fmt.Errorf("release plan: %w", err)
	}
	plan.Untagged = pl.untagged
	for _, m := range mods {
		mp, probs, err := pl.module(m)
		if err != nil {
			return nil, fmt.Errorf("release plan: %w", err)
		}
		plan.Problems = append(plan.Problems, probs...)
		plan.Modules = append(plan.Modules, mp)
	}
	for name := range opts.Held {
		if g.router.ByName(name) == nil {
			plan.Problems = append(plan.Problems, fmt.Sprintf("held module %q is not a module", name))
		}
	}
	plan.Problems = append(plan.Problems, pl.changeFiles.unknown...)
	slices.Sort(plan.Problems)
	plan.Problems = slices.Compact(plan.Problems)
	return plan, nil
}

// planner plans one module at a time against what Plan read once for all:
// the tags merged into the head, the change files, the untagged releases.
type planner struct {
	ctx         context.Context
	dir         string
	cfg         *config.Config
	opts        PlanOptions
	head, date  string
	g           *gatherer
	tags        []string
	changeFiles *changeSet
	untagged    []AppliedTag
}

// module plans module m: its current version, its entries since, and when
// there are any its next version, size change, API change, section and
// notes. The problems are its requests' changelog blocks'.
func (pl *planner) module(m *Module) (*ModulePlan, []string, error) {
	tt, err := ParseTagTemplate(m.Tag, m.Name)
	if err != nil {
		return nil, nil, fmt.Errorf("module %s: %w", m.Name, err)
	}
	mp := &ModulePlan{Name: m.Name, Changelog: m.Changelog}
	base, err := pl.current(m, tt, mp)
	if err != nil {
		return nil, nil, fmt.Errorf("module %s: %w", m.Name, err)
	}
	// Entries count from the head the release was planned at (see
	// ReleaseHeadTrailer); sizes from the release itself.
	since := base
	if base != "" {
		since, err = releaseBase(pl.ctx, pl.dir, base)
		if err != nil {
			return nil, nil, fmt.Errorf("module %s: %w", m.Name, err)
		}
	}
	entries, probs, err := pl.g.entries(m, since, pl.head)
	if err != nil {
		return nil, nil, fmt.Errorf("module %s: %w", m.Name, err)
	}
	entries = mergeChangeFiles(entries, pl.changeFiles.byModule[m.Name])
	for _, e := range entries {
		if e.File != "" && !slices.Contains(mp.ChangeFiles, e.File) {
			mp.ChangeFiles = append(mp.ChangeFiles, e.File)
		}
		mp.Bump = max(mp.Bump, e.Bump)
	}
	mp.Entries = entries
	if len(entries) > 0 {
		if err := pl.next(m, tt, mp, base); err != nil {
			return nil, nil, err
		}
	}
	return mp, probs, nil
}

// current sets mp's current tag and version: the latest merged tag of the
// module, or a release merged since without its tag. It returns the commit
// of that release ("" for a module never released).
func (pl *planner) current(m *Module, tt TagTemplate, mp *ModulePlan) (string, error) {
	base := ""
	if tag, v, ok := tt.Latest(pl.tags); ok {
		mp.CurrentTag, mp.Current = tag, v
		var err error
		if base, err = revParse(pl.ctx, pl.dir, "refs/tags/"+tag); err != nil {
			return "", err
		}
	}
	for _, u := range pl.untagged {
		if u.Module == m.Name && u.Commit != "" {
			mp.CurrentTag, mp.Current, mp.Untagged, base = u.Name, u.Version, true, u.Commit
		}
	}
	return base, nil
}

// next fills in the release of a module with entries: the next version
// and tag, whether it is held back, its size and API changes since base,
// its changelog section and notes.
func (pl *planner) next(m *Module, tt TagTemplate, mp *ModulePlan, base string) error {
	mp.Next = mp.Current.Next(mp.Bump)
	mp.NextTag = tt.Tag(mp.Next)
	mp.Release = true
	if reason, held := pl.opts.Held[m.Name]; held {
		mp.Release = false
		mp.Held = cmp.Or(reason, "held back")
	}
	if pl.opts.Sizes != nil {
		then, now, ok, err := pl.opts.Sizes.ModuleSize(pl.ctx, m.Name, base, pl.head)
		if err != nil {
			return fmt.Errorf("size of module %s: %w", m.Name, err)
		}
		if ok {
			mp.Size = &SizeChange{Then: then, Now: now}
		}
	}
	if base != "" {
		api, err := APIChanges(pl.ctx, pl.dir, pl.cfg, base, pl.head, m.Name)
		if err != nil {
			return fmt.Errorf("API of module %s: %w", m.Name, err)
		}
		if len(api) > 0 && len(api[0].Changes) > 0 {
			mp.API = &api[0]
		}
	}
	mp.Section = RenderSection(mp.Next, pl.date, mp.Entries)
	mp.Notes = notes(mp)
	return nil
}

// gatherer collects entries, caching logs and request look-ups.
type gatherer struct {
	ctx      context.Context
	dir      string
	router   *Router
	sources  Sources
	logs     map[string][]logEntry
	requests map[string]*Request
	reported map[string]bool // commits whose request's block problems were reported
	label    string          // the label that exempts a request
}

func (g *gatherer) log(base, head string) ([]logEntry, error) {
	k := base + ".." + head
	if l, ok := g.logs[k]; ok {
		return l, nil
	}
	l, err := gitLog(g.ctx, g.dir, base, head)
	if err != nil {
		return nil, err
	}
	g.logs[k] = l
	return l, nil
}

// request finds the request of a commit: from Sources, else "(#N)" at the
// end of the subject (a squash merge's title).
func (g *gatherer) request(c logEntry) (*Request, error) {
	if r, ok := g.requests[c.SHA]; ok {
		return r, nil
	}
	var r *Request
	if g.sources != nil {
		var err error
		r, err = g.sources.RequestForCommit(g.ctx, c.SHA)
		if err != nil {
			return nil, fmt.Errorf("request of commit %s: %w", c.SHA, err)
		}
	} else if n := subjectRequest(c.Message); n > 0 {
		r = &Request{Number: n}
	}
	g.requests[c.SHA] = r
	return r, nil
}

// subjectRequest reads "(#123)" at the end of a message's first line.
func subjectRequest(msg string) int {
	subject, _, _ := strings.Cut(msg, "\n")
	s, ok := strings.CutSuffix(strings.TrimSpace(subject), ")")
	if !ok {
		return 0
	}
	i := strings.LastIndex(s, "(#")
	if i < 0 {
		return 0
	}
	n, err := strconv.Atoi(s[i+2:])
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// trimSubjectRequest drops a trailing " (#123)" from an entry's text.
func trimSubjectRequest(s string) string {
	if subjectRequest(s) > 0 {
		return strings.TrimSpace(s[:strings.LastIndex(s, "(#")])
	}
	return s
}

// entries of module m from commits and request descriptions in base..head,
// oldest first.
func (g *gatherer) entries(m *Module, base, head string) ([]Entry, []string, error) {
	commits, err := g.log(base, head)
	if err != nil {
		return nil, nil, err
	}
	var set entrySet
	var problems []string
	blockDone := map[int]bool{}
	for i := len(commits) - 1; i >= 0; i-- {
		c := commits[i]
		if strings.HasPrefix(c.Message, releaseSubject) {
			// A release commit (or the squash of a release request): counting
			// from a recorded head puts it in the range, but neither it nor
			// its request (whose body is the plan) is an entry.
			continue
		}
		req, err := g.request(c)
		if err != nil {
			return nil, nil, err
		}
		num := 0
		if req != nil {
			num = req.Number
			if slices.Contains(req.Labels, g.label) {
				continue
			}
		}
		if req != nil && req.Body != "" {
			lines, errs, _ := ParseBlock(req.Body)
			problems = append(problems, g.blockProblems(c.SHA, num, lines, errs)...)
			// A request whose changelog block names the module speaks for
			// it, once, in place of its commits.
			if mine := moduleLines(lines, m.Name); len(mine) > 0 {
				if !blockDone[num] {
					blockDone[num] = true
					for _, e := range blockEntries(m.Name, mine, c.SHA, num) {
						set.add(e)
					}
				}
				continue
			}
		}
		if e, ok := g.commitEntry(m.Name, c, req, num); ok {
			set.add(e)
		}
	}
	return set.list, problems, nil
}

// entrySet is entries in the order first added, without duplicates (same
// change, section and text).
type entrySet struct {
	list []Entry
	seen map[string]bool
}

func (s *entrySet) add(e Entry) {
	k := e.key() + "\x00" + string(e.Section) + "\x00" + e.Text
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	if !s.seen[k] {
		s.seen[k] = true
		s.list = append(s.list, e)
	}
}

// blockProblems are the problems of request num's changelog block (lines
// that do not parse, modules that do not exist), reported once per commit
// however many modules are planned.
func (g *gatherer) blockProblems(sha string, num int, lines []BlockLine, errs []BlockError) []string {
	if g.reported[sha] {
		return nil
	}
	g.reported[sha] = true
	var problems []string
	for _, e := range errs {
		problems = append(problems, fmt.Sprintf("request #%d: %v", num, e))
	}
	for _, l := range lines {
		if g.router.ByName(l.Module) == nil {
			problems = append(problems, fmt.Sprintf("request #%d: changelog block line %d names no module: %q", num, l.Line, l.Module))
		}
	}
	return problems
}

// moduleLines are the block lines that name module.
func moduleLines(lines []BlockLine, module string) []BlockLine {
	var mine []BlockLine
	for _, l := range lines {
		if l.Module == module {
			mine = append(mine, l)
		}
	}
	return mine
}

// blockEntries are the entries of a request's block lines for module; a line
// of a type that is no changelog entry (chore, …) gives none.
func blockEntries(module string, lines []BlockLine, sha string, num int) []Entry {
	var out []Entry
	for _, l := range lines {
		sec, bump, ok := l.Commit.Classify()
		if !ok {
			continue
		}
		out = append(out, Entry{Module: module, Section: sec, Bump: bump, Scope: l.Commit.Scope, Text: l.Commit.Text(),
			Source: FromRequest, Commit: sha, Request: num})
	}
	return out
}

// commitEntry is the entry of commit c for module, when c touches the
// module and its message (or its request's Conventional title, which
// speaks for all of its commits) is a Conventional Commit of a type that
// is a changelog entry.
func (g *gatherer) commitEntry(module string, c logEntry, req *Request, num int) (Entry, bool) {
	if !slices.Contains(g.router.Touched(c.Files), module) {
		return Entry{}, false
	}
	msg := c.Message
	if req != nil && req.Title != "" {
		// A request's Conventional title is what the gate checked and
		// what reviewers read; it speaks for all of its commits.
		if _, err := ParseCommit(req.Title); err == nil {
			msg = req.Title
		}
	}
	cc, err := ParseCommit(msg)
	if err != nil {
		return Entry{}, false
	}
	sec, bump, ok := cc.Classify()
	if !ok {
		return Entry{}, false
	}
	return Entry{Module: module, Section: sec, Bump: bump, Scope: cc.Scope, Text: trimSubjectRequest(cc.Text()),
		Source: FromCommit, Commit: c.SHA, Request: num}, true
}

// mergeChangeFiles adds change-file entries, replacing the entries of the
// same change (same request or commit) from other sources.
func mergeChangeFiles(entries, files []Entry) []Entry {
	if len(files) == 0 {
		return entries
	}
	drop := map[string]bool{}
	for _, f := range files {
		if f.Commit != "" {
			drop[f.key()] = true
		}
	}
	out := make([]Entry, 0, len(entries)+len(files))
	for _, e := range entries {
		if !drop[e.key()] {
			out = append(out, e)
		}
	}
	return append(out, files...)
}

type changeSet struct {
	byModule map[string][]Entry
	problems []string
	unknown  []string
}

// changeFiles reads every change file at head, with the commit that added it.
func (g *gatherer) changeFiles(head string) (*changeSet, error) {
	cs := &changeSet{byModule: map[string][]Entry{}}
	out, err := runGit(g.ctx, g.dir, nil, nil, "ls-tree", "-z", "--name-only", head, "--", ChangesDir+"/")
	if err != nil {
		return nil, fmt.Errorf("list change files: %w", err)
	}
	for p := range strings.SplitSeq(out, "\x00") {
		if !isChangeFile(p) {
			continue
		}
		src, err := runGit(g.ctx, g.dir, nil, nil, "cat-file", "blob", head+":"+p)
		if err != nil {
			return nil, fmt.Errorf("read change file %s: %w", p, err)
		}
		cf, err := ParseChangeFile(p, []byte(src))
		if err != nil {
			cs.problems = append(cs.problems, err.Error())
			continue
		}
		added, err := runGit(g.ctx, g.dir, nil, nil, "log", "-1", "--diff-filter=A", "--format=%H%x1f%B", head, "--", p)
		if err != nil {
			return nil, fmt.Errorf("find the commit of change file %s: %w", p, err)
		}
		e := Entry{Source: FromChangeFile, File: p, Text: cf.Summary}
		if sha, msg, ok := strings.Cut(added, "\x1f"); ok {
			e.Commit = strings.TrimSpace(sha)
			req, err := g.request(logEntry{SHA: e.Commit, Message: msg})
			if err != nil {
				return nil, err
			}
			if req != nil {
				e.Request = req.Number
			}
		}
		for _, b := range cf.Bumps {
			if g.router.ByName(b.Module) == nil {
				cs.unknown = append(cs.unknown, fmt.Sprintf("%s: %q is not a module", p, b.Module))
				continue
			}
			me := e
			me.Module, me.Bump, me.Section = b.Module, b.Bump, sectionFor(b.Bump)
			cs.byModule[b.Module] = append(cs.byModule[b.Module], me)
		}
	}
	return cs, nil
}
