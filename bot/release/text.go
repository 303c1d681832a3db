package release

import (
	"fmt"
	"strings"
)

// Text renders the plan as Markdown: the release PR/MR body and the output
// of `mpgate release plan`. Released modules with their version change and
// section, held modules with the reason, modules with nothing to release,
// and problems.
func (p *ReleasePlan) Text() string {
	var b strings.Builder
	rel := p.Releases()
	if len(rel) == 0 {
		b.WriteString("Nothing to release.\n")
	} else {
		fmt.Fprintf(&b, "## Release %s\n\n", strings.Join(tagNames(rel), ", "))
		b.WriteString("| module | version | bump | changelog |\n|---|---|---|---|\n")
		for _, m := range rel {
			bump := m.Bump.String()
			if m.Bump == BumpMajor && m.Next.Major == 0 {
				bump = "breaking (minor below 1.0.0)"
			}
			fmt.Fprintf(&b, "| %s | %s → %s | %s | %s |\n", m.Name, m.Current, m.Next, bump, m.Changelog)
		}
		for _, m := range rel {
			fmt.Fprintf(&b, "\n<details open><summary><b>%s</b> %s</summary>\n\n", m.Name, m.NextTag)
			b.WriteString(m.Section)
			if m.Size != nil {
				b.WriteString("\n" + sizeLine(*m.Size) + "\n")
			}
			b.WriteString("\n</details>\n")
		}
	}
	var held, none []*ModulePlan
	for _, m := range p.Modules {
		switch {
		case m.Held != "":
			held = append(held, m)
		case !m.Release:
			none = append(none, m)
		}
	}
	if len(held) > 0 {
		b.WriteString("\n### Held back\n\n")
		for _, m := range held {
			fmt.Fprintf(&b, "- **%s** %s → %s: %s\n", m.Name, m.Current, m.Next, m.Held)
		}
	}
	if len(none) > 0 {
		b.WriteString("\n### No changes\n\n")
		for _, m := range none {
			v := m.Current.String()
			if m.CurrentTag == "" {
				v = "never released"
			}
			fmt.Fprintf(&b, "- %s (%s)\n", m.Name, v)
		}
	}
	if len(p.Untagged) > 0 {
		b.WriteString("\n### Merged, not tagged yet (release apply tags them)\n\n")
		for _, t := range p.Untagged {
			fmt.Fprintf(&b, "- %s at %s\n", t.Name, short(t.Commit))
		}
	}
	if len(p.Problems) > 0 {
		b.WriteString("\n### Problems (fix before releasing)\n\n")
		for _, s := range p.Problems {
			fmt.Fprintf(&b, "- %s\n", s)
		}
	}
	return b.String()
}

func tagNames(ms []*ModulePlan) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.NextTag)
	}
	return out
}

// NeedsText renders the changelog gate's findings as Markdown for a check
// run or status: which modules lack an entry, their files, and text to
// paste. Empty needs render as a one-line pass.
func NeedsText(needs []ModuleNeed) string {
	if len(needs) == 0 {
		return "Every module this request changes has a changelog entry.\n"
	}
	var b strings.Builder
	names := make([]string, 0, len(needs))
	for _, n := range needs {
		names = append(names, "`"+n.Module+"`")
	}
	fmt.Fprintf(&b, "No changelog entry for %s.\n\n", strings.Join(names, ", "))
	b.WriteString("Add one of these (any one is enough), or label the request `" + needs[0].label() + "`:\n\n")
	b.WriteString("- a Conventional Commits title, e.g. `fix(" + needs[0].Module + "): …` (`feat` adds, `fix` fixes, `!` breaks), which covers every module the request changes;\n")
	b.WriteString("- this block in the description, one line per module:\n\n")
	b.WriteString("````markdown\n```changelog\n")
	for _, n := range needs {
		b.WriteString(n.Module + ": fix: describe the change\n")
	}
	b.WriteString("```\n````\n\n")
	b.WriteString("- or a change file per module, e.g. `" + needs[0].ChangeFile + "`:\n\n")
	b.WriteString("```markdown\n" + needs[0].ChangeFileContent + "```\n")
	for _, n := range needs {
		fmt.Fprintf(&b, "\n<details><summary>%s: %d changed file(s)</summary>\n\n", n.Module, len(n.Files))
		for _, f := range n.Files {
			fmt.Fprintf(&b, "- `%s`\n", f)
		}
		b.WriteString("\n</details>\n")
	}
	return b.String()
}

// PreviewText renders Preview's result for a `/changelog` reply.
func PreviewText(previews []ModulePreview) string {
	if len(previews) == 0 {
		return "This request adds no changelog entries.\n"
	}
	var b strings.Builder
	b.WriteString("Once merged, the next release adds:\n")
	for _, p := range previews {
		fmt.Fprintf(&b, "\n#### %s\n\n%s", p.Module, strings.ReplaceAll(p.Text, "### ", "##### "))
	}
	return b.String()
}
