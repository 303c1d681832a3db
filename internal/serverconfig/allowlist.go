package serverconfig

import (
	"errors"
	"fmt"
	"strings"
)

// Forges of the allowlist (bot.ForgeGitHub, bot.ForgeGitLab).
const (
	ForgeGitHub = "github"
	ForgeGitLab = "gitlab"
)

// Allowlist is the repositories a server serves. With the repositories key
// in the file, a repository is served only when a pattern of its forge
// matches it; a forge without a list serves none.
//
// GitHub: OWNER/NAME, or OWNER/* for every repository of the owner.
// GitLab: GROUP/…/PROJECT, or GROUP/* for every project of the group and
// of its subgroups. Names compare without regard to case, as both forges
// do.
type Allowlist struct {
	github, gitlab []pattern
}

// pattern is OWNER/NAME, or OWNER/* (prefix "owner/").
type pattern struct {
	text string
	// any: every repository under owner (the text without "*").
	any bool
}

func (a *Allowlist) add(forge string, p pattern) {
	switch forge {
	case ForgeGitHub:
		a.github = append(a.github, p)
	case ForgeGitLab:
		a.gitlab = append(a.gitlab, p)
	}
}

func patternHelp(forge string) string {
	if forge == ForgeGitLab {
		return "GROUP/PROJECT (subgroups: GROUP/SUB/PROJECT) or GROUP/*"
	}
	return "OWNER/NAME or OWNER/*"
}

// parsePattern checks one entry of a forge's list.
func parsePattern(forge, s string) (pattern, error) {
	s = strings.TrimSpace(s)
	parts := strings.Split(s, "/")
	bad := func(why string) (pattern, error) {
		return pattern{}, fmt.Errorf("%s; want %s", why, patternHelp(forge))
	}
	if len(parts) < 2 {
		return bad("no owner")
	}
	if forge == ForgeGitHub && len(parts) != 2 {
		return bad("a GitHub repository is OWNER/NAME")
	}
	for i, part := range parts {
		last := i == len(parts)-1
		switch {
		case part == "":
			return bad("an empty part")
		case part == "*" && last:
		case strings.ContainsAny(part, "*?[]") || part == "." || part == "..":
			return bad("only a whole last part may be *")
		case strings.ContainsAny(part, " \t:\\"):
			return bad("not a repository name")
		}
	}
	if parts[len(parts)-1] == "*" {
		return pattern{text: strings.ToLower(strings.TrimSuffix(s, "*")), any: true}, nil
	}
	return pattern{text: strings.ToLower(s)}, nil
}

func (p pattern) match(fullName string) bool {
	name := strings.ToLower(fullName)
	if p.any {
		rest, ok := strings.CutPrefix(name, p.text)
		return ok && rest != ""
	}
	return name == p.text
}

// ErrNotAllowed is matched by Check's error.
var ErrNotAllowed = errors.New("not in the server's repository allowlist")

// Check says whether the server serves fullName (OWNER/NAME; GitLab's
// path with namespace) of forge. A nil Allowlist allows every repository.
func (a *Allowlist) Check(forge, fullName string) error {
	if a == nil {
		return nil
	}
	var list []pattern
	switch forge {
	case ForgeGitHub:
		list = a.github
	case ForgeGitLab:
		list = a.gitlab
	}
	if strings.Trim(fullName, "/") != "" {
		for _, p := range list {
			if p.match(fullName) {
				return nil
			}
		}
	}
	return fmt.Errorf("%s repository %q: %w (repositories.%s of the server config)", forge, fullName, ErrNotAllowed, forge)
}

// String lists the patterns, for the start-up log.
func (a *Allowlist) String() string {
	if a == nil {
		return "every repository"
	}
	texts := func(ps []pattern) string {
		if len(ps) == 0 {
			return "none"
		}
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.text
			if p.any {
				out[i] += "*"
			}
		}
		return strings.Join(out, ", ")
	}
	return "github: " + texts(a.github) + "; gitlab: " + texts(a.gitlab)
}
