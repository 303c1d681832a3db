package release

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mpgate/mpgate/bot/workspace"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/config"
)

// ModuleNeed is a module a request touches without a changelog entry, and
// how to add one.
type ModuleNeed struct {
	Module string
	// Files are the request's changed files in the module (at most 20).
	Files []string
	// Hint says the ways to add an entry in one sentence.
	Hint string
	// Block is a ```changelog block to paste into the description.
	Block string
	// ChangeFile and ChangeFileContent: a change file to add instead.
	ChangeFile        string
	ChangeFileContent string
	// Label exempts the request (gates.changelog.label, else
	// NoChangelogLabel).
	Label string
}

// exemptLabel is the label that exempts a request from changelog entries:
// gates.changelog.label, else NoChangelogLabel.
func exemptLabel(cfg *config.Config) string {
	if cfg != nil && strings.TrimSpace(cfg.Gates.Changelog.Label) != "" {
		return cfg.Gates.Changelog.Label
	}
	return NoChangelogLabel
}

func (n ModuleNeed) label() string {
	if n.Label != "" {
		return n.Label
	}
	return NoChangelogLabel
}

// requestEntries is what Missing and Preview know of a request.
type requestEntries struct {
	touched map[string][]string // module → files
	order   []string
	entries []Entry
	covered map[string]bool
}

// collect routes the request's changed files to modules and reads its
// entries: the title as a Conventional Commit (for every touched module),
// the changelog block of the description (for the modules it names), and
// change files the request adds.
func collect(ctx context.Context, repoDir, base, head string, cfg *config.Config, desc string) (*requestEntries, *Router, error) {
	mods, err := Modules(repoDir, cfg)
	if err != nil {
		return nil, nil, err
	}
	r := NewRouter(mods)
	mb, err := workspace.MergeBase(ctx, repoDir, base, head)
	if err != nil {
		return nil, nil, fmt.Errorf("merge base of %s and %s: %w", base, head, err)
	}
	changes, err := workspace.Changes(ctx, repoDir, mb, head)
	if err != nil {
		return nil, nil, err
	}
	re, added := routeChanges(r, mods, changes)
	title, body, _ := strings.Cut(desc, "\n")
	re.addTitle(title)
	re.addBlock(r, body)
	for _, p := range added {
		src, err := runGit(ctx, repoDir, nil, nil, "cat-file", "blob", head+":"+p)
		if err != nil {
			return nil, nil, fmt.Errorf("read change file %s: %w", p, err)
		}
		re.addChangeFile(r, p, []byte(src))
	}
	return re, r, nil
}

// routeChanges routes the changed files to the modules they touch (at most
// 20 files each), the modules in mods' order, and returns the change files
// the request adds (or modifies, renames, copies). A changelog is written by
// releases (the release request) and fixed by hand; editing one is not a
// change to release, so it touches no module.
func routeChanges(r *Router, mods []*Module, changes []workspace.Change) (*requestEntries, []string) {
	re := &requestEntries{touched: map[string][]string{}, covered: map[string]bool{}}
	changelogs := map[string]bool{}
	for _, m := range mods {
		changelogs[m.Changelog] = true
	}
	var added []string
	for _, c := range changes {
		paths := []string{c.Path}
		if c.OldPath != "" {
			paths = append(paths, c.OldPath)
		}
		for _, p := range paths {
			if changelogs[p] {
				continue
			}
			if m := r.Module(p); m != nil {
				re.touch(m.Name, p)
			}
		}
		if (c.Status == 'A' || c.Status == 'M' || c.Status == 'R' || c.Status == 'C') && isChangeFile(c.Path) {
			added = append(added, c.Path)
		}
	}
	slices.SortFunc(re.order, func(a, b string) int {
		return slices.IndexFunc(mods, func(m *Module) bool { return m.Name == a }) -
			slices.IndexFunc(mods, func(m *Module) bool { return m.Name == b })
	})
	return re, added
}

// touch records that the request changes file p of module.
func (re *requestEntries) touch(module, p string) {
	if _, ok := re.touched[module]; !ok {
		re.order = append(re.order, module)
	}
	if len(re.touched[module]) < 20 && !slices.Contains(re.touched[module], p) {
		re.touched[module] = append(re.touched[module], p)
	}
}

// addTitle reads the request's title as a Conventional Commit: an entry for
// every touched module when its type makes one.
func (re *requestEntries) addTitle(title string) {
	cc, err := ParseCommit(title)
	if err != nil {
		return
	}
	sec, bump, ok := cc.Classify()
	if !ok {
		return
	}
	for _, name := range re.order {
		re.entries = append(re.entries, Entry{Module: name, Section: sec, Bump: bump, Scope: cc.Scope,
			Text: trimSubjectRequest(cc.Text()), Source: FromCommit})
		re.covered[name] = true
	}
}

// addBlock reads the changelog block of the request's body: a line covers
// the module it names, and when its type makes an entry, that entry
// replaces the title's for the module.
func (re *requestEntries) addBlock(r *Router, body string) {
	lines, _, _ := ParseBlock(body)
	for _, l := range lines {
		if r.ByName(l.Module) == nil {
			continue
		}
		re.covered[l.Module] = true
		if sec, bump, ok := l.Commit.Classify(); ok {
			re.entries = slices.DeleteFunc(re.entries, func(e Entry) bool { return e.Module == l.Module && e.Source == FromCommit })
			re.entries = append(re.entries, Entry{Module: l.Module, Section: sec, Bump: bump, Scope: l.Commit.Scope,
				Text: l.Commit.Text(), Source: FromRequest})
		}
	}
}

// addChangeFile reads the change file p the request adds: it covers the
// modules it names, and its entry replaces theirs from the title and block.
// A change file that does not parse covers nothing (the gate reports the
// module as missing; Plan names the error).
func (re *requestEntries) addChangeFile(r *Router, p string, src []byte) {
	cf, err := ParseChangeFile(p, src)
	if err != nil {
		return
	}
	for _, b := range cf.Bumps {
		if r.ByName(b.Module) == nil {
			continue
		}
		re.covered[b.Module] = true
		re.entries = slices.DeleteFunc(re.entries, func(e Entry) bool { return e.Module == b.Module && e.Source != FromChangeFile })
		re.entries = append(re.entries, Entry{Module: b.Module, Section: sectionFor(b.Bump), Bump: b.Bump,
			Text: cf.Summary, Source: FromChangeFile, File: p})
	}
}

// Missing returns the modules the request base...head touches (by files,
// from their merge base) that lack a changelog entry, in module order. An
// entry is a Conventional Commits title (desc's first line) of a type that
// makes an entry (feat, fix, perf, refactor, revert, or breaking), which
// covers every touched module; a line in a ```changelog block of desc for
// the module; or a change file the request adds naming it. A request
// labelled gates.changelog.label (default NoChangelogLabel) needs nothing.
// desc is the title, a newline, then the body.
func Missing(ctx context.Context, repoDir, base, head string, cfg *config.Config, desc string, labels []string) ([]ModuleNeed, error) {
	label := exemptLabel(cfg)
	if slices.Contains(labels, label) {
		return nil, nil
	}
	re, _, err := collect(ctx, repoDir, base, head, cfg, desc)
	if err != nil {
		return nil, fmt.Errorf("changelog gate: %w", err)
	}
	headSHA, err := workspace.RevParse(ctx, repoDir, head)
	if err != nil {
		return nil, fmt.Errorf("changelog gate: %w", err)
	}
	var needs []ModuleNeed
	for _, name := range re.order {
		if re.covered[name] {
			continue
		}
		file := ChangesDir + "/" + strings.ReplaceAll(name, "/", "-") + "-" + headSHA[:min(7, len(headSHA))] + ".md"
		needs = append(needs, ModuleNeed{
			Module: name,
			Files:  re.touched[name],
			Hint: fmt.Sprintf("add an entry for %s: give the request a Conventional Commits title such as \"fix(%s): …\", "+
				"paste the changelog block into its description, add the change file, or label it %s",
				name, name, label),
			Block:             "```changelog\n" + name + ": fix: describe the change\n```\n",
			ChangeFile:        file,
			ChangeFileContent: "---\n" + name + ": patch\n---\nDescribe the change.\n",
			Label:             label,
		})
	}
	return needs, nil
}

// ModulePreview is what a request would add to one module's changelog.
type ModulePreview struct {
	Module  string
	Entries []Entry
	// Text is the entries rendered as they would appear in the section.
	Text string
}

// Preview returns, for `/changelog`, the entries the request base...head
// would add to each module's changelog once merged (version and date are
// decided at release), in module order; modules without entries are left
// out, and a request labelled gates.changelog.label (default
// NoChangelogLabel) adds none.
func Preview(ctx context.Context, repoDir, base, head string, cfg *config.Config, desc string, labels []string) ([]ModulePreview, error) {
	if slices.Contains(labels, exemptLabel(cfg)) {
		return nil, nil
	}
	re, r, err := collect(ctx, repoDir, base, head, cfg, desc)
	if err != nil {
		return nil, fmt.Errorf("changelog preview: %w", err)
	}
	var out []ModulePreview
	for _, m := range r.mods {
		var es []Entry
		for _, e := range re.entries {
			if e.Module == m.Name {
				es = append(es, e)
			}
		}
		if len(es) > 0 {
			out = append(out, ModulePreview{Module: m.Name, Entries: es, Text: strings.TrimLeft(renderEntries(es), "\n")})
		}
	}
	return out, nil
}

// Gate is the GATE-CHANGELOG verdict for Missing's result (err is Missing's
// error: the gate could not be evaluated, never a silent pass).
func Gate(needs []ModuleNeed, err error) checks.Gate {
	g := checks.Gate{Name: "changelog", Rule: checks.GateChangelog, Status: checks.GatePass,
		Summary: "every changed module has a changelog entry"}
	switch {
	case err != nil:
		g.Status, g.Summary = checks.GateError, "changelog entries could not be checked: "+err.Error()
	case len(needs) > 0:
		names := make([]string, 0, len(needs))
		for _, n := range needs {
			names = append(names, n.Module)
		}
		g.Status = checks.GateFail
		g.Summary = "no changelog entry for " + strings.Join(names, ", ") +
			" (add a Conventional Commits title, a changelog block or a .changes file, or label " + needs[0].label() + ")"
	}
	return g
}
