package bot

import (
	"strconv"
	"strings"
)

// Comment command names, as written after the slash (matched without
// regard to case).
const (
	CmdRebuild     = "rebuild"
	CmdRecheck     = "recheck"
	CmdApproveSize = "approve-size"
	CmdOkToBuild   = "ok-to-build"
	CmdHelp        = "help"
	CmdChangelog   = "changelog"
	CmdRelease     = "release"
)

// commandInfo describes one command for HelpText and the parser.
type commandInfo struct {
	name      string
	usage     string
	what      string
	needsArgs bool
}

// commands is the set the bot obeys, in the order HelpText lists them.
var commands = []commandInfo{
	{CmdRebuild, "/rebuild", "Build base and head again from scratch and re-run every check.", false},
	{CmdRecheck, "/recheck", "Re-run the checks on the builds already made.", false},
	{CmdApproveSize, "/approve-size <why>", "Accept this request's size growth; the reason is recorded on the check.", true},
	{CmdOkToBuild, "/ok-to-build", "Allow building a request from a fork or an untrusted author.", false},
	{CmdChangelog, "/changelog", "Show the changelog entries this request would add.", false},
	{CmdRelease, "/release", "Show the release plan: modules, next versions, changelog sections.", false},
	{CmdHelp, "/help", "Show this table.", false},
}

func lookupCommand(name string) (commandInfo, bool) {
	for _, c := range commands {
		if strings.EqualFold(c.name, name) {
			return c, true
		}
	}
	return commandInfo{}, false
}

// Command is one command found in a comment.
type Command struct {
	// Name is the command's canonical name (one of the Cmd constants),
	// lower case and without the slash.
	Name string
	// Args is the rest of the line after the name, trimmed.
	Args string
	// Line is the 1-based line of the comment the command is on.
	Line int
	// Problem, when not empty, says why the command cannot be obeyed as
	// written (for example a missing reason); the bot replies with it
	// instead of acting.
	Problem string
}

// ParseCommands finds the commands in a comment body, Atlantis/Prow style:
// a command is a line of its own that starts with "/" and a known name
// (case-insensitive), optionally followed by arguments; leading spaces (up
// to three, as Markdown allows before a paragraph) and trailing spaces are
// allowed. Ignored: unknown names, a name that is only the start of a
// longer word (/rebuilding), lines with text before the slash, quoted lines
// ("> /rebuild"), lines inside ``` or ~~~ fences, indented code (four
// spaces or a tab) and lines inside a multi-line HTML comment. Each command is returned at most once: the first
// occurrence wins. The result is in the order of the comment's lines.
func ParseCommands(body string) []Command {
	var (
		out     []Command
		seen    = map[string]bool{}
		fence   string // the opening fence while inside a fenced block
		comment bool   // inside a multi-line HTML comment
	)
	for i, line := range strings.Split(body, "\n") {
		line = strings.TrimRight(line, "\r")
		indent, rest := leadingIndent(line)
		if fence != "" {
			if indent < 4 && isClosingFence(rest, fence) {
				fence = ""
			}
			continue
		}
		if comment {
			comment = !strings.Contains(rest, "-->") || opensHTMLComment(rest)
			continue
		}
		if indent >= 4 {
			continue // indented code block, or not a line of its own
		}
		if f := openingFence(rest); f != "" {
			fence = f
			continue
		}
		comment = opensHTMLComment(rest)
		if !strings.HasPrefix(rest, "/") {
			continue // quoted, text before the slash, or no command
		}
		name, args := splitCommand(rest[1:])
		info, ok := lookupCommand(name)
		if !ok || seen[info.name] {
			continue
		}
		seen[info.name] = true
		c := Command{Name: info.name, Args: args, Line: i + 1}
		if info.needsArgs && args == "" {
			c.Problem = "give a reason: " + info.usage
		}
		out = append(out, c)
	}
	return out
}

// opensHTMLComment says whether a line leaves an HTML comment open: its
// last "<!--" has no "-->" after it. Lines up to the closing "-->" are
// hidden in the rendered comment and are not commands.
func opensHTMLComment(s string) bool {
	i := strings.LastIndex(s, "<!--")
	return i >= 0 && !strings.Contains(s[i+4:], "-->")
}

// leadingIndent measures a line's indentation in columns (a tab counts as
// four, as in Markdown) and returns the rest of the line.
func leadingIndent(line string) (int, string) {
	n := 0
	for i, r := range line {
		switch r {
		case ' ':
			n++
		case '\t':
			n += 4
		default:
			return n, line[i:]
		}
	}
	return n, ""
}

// openingFence returns the fence run (``` or ~~~, three or more) a line
// opens a fenced code block with, or "".
func openingFence(s string) string {
	for _, ch := range []byte{'`', '~'} {
		n := 0
		for n < len(s) && s[n] == ch {
			n++
		}
		if n >= 3 {
			return s[:n]
		}
	}
	return ""
}

// isClosingFence says whether s closes a block opened with fence: a run of
// the same character at least as long, and nothing else but spaces.
func isClosingFence(s, fence string) bool {
	ch := fence[0]
	n := 0
	for n < len(s) && s[n] == ch {
		n++
	}
	return n >= len(fence) && strings.TrimSpace(s[n:]) == ""
}

// splitCommand splits "name args…" at the first space or tab.
func splitCommand(s string) (name, args string) {
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], strings.TrimSpace(s[i+1:])
	}
	return strings.TrimSpace(s), ""
}

// HelpText is the Markdown reply to /help: a table of the commands and who
// may use them.
func HelpText() string {
	var b strings.Builder
	b.WriteString("mpgate obeys these commands, each on a line of its own in a comment on the request:\n\n")
	b.WriteString("| Command | What it does | Who may use it |\n")
	b.WriteString("|---|---|---|\n")
	for _, c := range commands {
		who := "anyone"
		if c.name != CmdHelp {
			who = "write access or more (GitLab: Developer or more)"
		}
		b.WriteString("| `" + c.usage + "` | " + c.what + " | " + who + " |\n")
	}
	b.WriteString("\nQuoted lines and lines in code blocks are not commands.\n")
	return b.String()
}

// Permission is a user's access to a repository, weakest first. The zero
// value is PermissionNone.
type Permission int

// Permission levels (GitHub's names; GitLabAccess maps GitLab's).
const (
	PermissionNone Permission = iota
	PermissionRead
	PermissionTriage
	PermissionWrite
	PermissionMaintain
	PermissionAdmin
)

var permissionNames = [...]string{"none", "read", "triage", "write", "maintain", "admin"}

// String is GitHub's name of the level ("write").
func (p Permission) String() string {
	if p >= 0 && int(p) < len(permissionNames) {
		return permissionNames[p]
	}
	return "Permission(" + strconv.Itoa(int(p)) + ")"
}

// ParsePermission maps GitHub's permission or role name (admin, maintain,
// write, triage, read, none; the legacy push and pull too) to a level.
// Anything else, including custom role names, is PermissionNone.
func ParsePermission(github string) Permission {
	switch strings.ToLower(strings.TrimSpace(github)) {
	case "admin":
		return PermissionAdmin
	case "maintain":
		return PermissionMaintain
	case "write", "push":
		return PermissionWrite
	case "triage":
		return PermissionTriage
	case "read", "pull":
		return PermissionRead
	}
	return PermissionNone
}

// GitLab access levels (members API access_level).
const (
	GitLabGuest      = 10
	GitLabReporter   = 20
	GitLabDeveloper  = 30
	GitLabMaintainer = 40
	GitLabOwner      = 50
)

// GitLabAccess maps a GitLab access level to a Permission: guest → Read,
// reporter → Triage, developer → Write, maintainer → Maintain, owner →
// Admin. Levels between these (planner 15, …) take the level below them;
// below guest (no access 0, minimal access 5) is None.
func GitLabAccess(level int) Permission {
	switch {
	case level >= GitLabOwner:
		return PermissionAdmin
	case level >= GitLabMaintainer:
		return PermissionMaintain
	case level >= GitLabDeveloper:
		return PermissionWrite
	case level >= GitLabReporter:
		return PermissionTriage
	case level >= GitLabGuest:
		return PermissionRead
	}
	return PermissionNone
}

// Allowed says whether a user with permission p may use the command:
// /help anyone, every other command write access or more.
func (c Command) Allowed(p Permission) bool {
	if c.Name == CmdHelp {
		return true
	}
	return p >= PermissionWrite
}
