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

// Prefix is the name a command may be addressed with: "/mpgate rebuild"
// or "@mpgate rebuild".
const Prefix = "mpgate"

// commandInfo describes one command for HelpText and the parser.
type commandInfo struct {
	name      string
	usage     string
	what      string
	needsArgs bool
	// project says the command takes a project argument (-p NAME,
	// --project NAME).
	project bool
	// prefixOnly: the bare form (/help) is another bot's command too
	// (Prow's /help), so only the prefixed form (/mpgate help) is ours.
	prefixOnly bool
}

// commands is the set the bot obeys, in the order HelpText lists them.
var commands = []commandInfo{
	{name: CmdRebuild, usage: "/rebuild [-p project]", what: "Build base and head again from scratch and re-run every check; with a project, only that project is built again (the others are checked on their stored reports).", project: true},
	{name: CmdRecheck, usage: "/recheck [-p project]", what: "Re-run the checks on the builds already made.", project: true},
	{name: CmdApproveSize, usage: "/approve-size [-p project] <why>", what: "Accept this request's size growth (of one project with -p); the reason is recorded on the check.", needsArgs: true, project: true},
	{name: CmdOkToBuild, usage: "/ok-to-build", what: "Allow building a request from a fork or an untrusted author. The request also gets a label (`mpgate:ok-to-build`) that keeps later pushes building until someone removes it."},
	{name: CmdChangelog, usage: "/changelog", what: "Show the changelog entries this request would add."},
	{name: CmdRelease, usage: "/release", what: "Show the release plan: modules, next versions, changelog sections."},
	{name: CmdHelp, usage: "/mpgate help", what: "Show this table.", prefixOnly: true},
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
	// Args is the rest of the line after the name (and after the project
	// argument), trimmed.
	Args string
	// Project is the project named with -p/--project ("" for all).
	Project string
	// Line is the 1-based line of the comment the command is on.
	Line int
	// Problem, when not empty, says why the command cannot be obeyed as
	// written (for example a missing reason); the bot replies with it
	// instead of acting.
	Problem string
}

// ParseCommands finds the commands in a comment body, Atlantis/Prow style.
// A command is a line of its own in one of three forms:
//
//	/mpgate rebuild -p shop     prefixed with a slash
//	@mpgate rebuild -p shop     addressed to the bot
//	/rebuild -p shop            bare, where unambiguous
//
// The bare form is accepted for every command except those other bots use
// under the same name: /help (Prow's) is only "/mpgate help". An unknown
// name after the prefix is answered (the comment was addressed to mpgate);
// an unknown bare name is another bot's and is ignored. Names and the
// prefix match without regard to case. The project argument is -p NAME,
// --project NAME, -p=NAME or --project=NAME, anywhere among the arguments.
//
// Leading spaces (up to three, as Markdown allows before a paragraph) and
// trailing spaces are allowed. Ignored: a name that is only the start of a
// longer word (/rebuilding), lines with text before the command, quoted
// lines ("> /rebuild"), lines inside ``` or ~~~ fences, indented code (four
// spaces or a tab) and lines inside a multi-line HTML comment. Each command
// is returned at most once: the first occurrence wins. The result is in
// the order of the comment's lines.
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
		c, ok := parseLine(rest)
		if !ok {
			continue
		}
		key := c.Name
		if key == "" {
			key = "?" + strings.ToLower(c.Args) // an unknown prefixed name, answered once
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		c.Line = i + 1
		out = append(out, c)
	}
	return out
}

// parseLine reads one line (indentation removed) as a command; ok is false
// when the line is no command of mpgate's.
func parseLine(s string) (Command, bool) {
	var prefixed bool
	switch {
	case len(s) > 1 && (s[0] == '/' || s[0] == '@'):
		word, rest := splitCommand(s[1:])
		if strings.EqualFold(word, Prefix) || (s[0] == '@' && strings.EqualFold(word, Prefix+"[bot]")) {
			prefixed = true
			s = rest
		} else if s[0] == '@' {
			return Command{}, false // addressed to someone else
		} else {
			s = s[1:]
		}
	default:
		return Command{}, false // quoted, text before the command, or no command
	}
	name, args := splitCommand(s)
	if prefixed && name == "" {
		return Command{Name: CmdHelp}, true // "/mpgate" alone
	}
	info, ok := lookupCommand(name)
	if !ok {
		if prefixed {
			// The unknown name is kept in Args for the reply.
			return Command{Args: name, Problem: "`" + name + "` is not an mpgate command; comment `/mpgate help` for the list"}, true
		}
		return Command{}, false
	}
	if info.prefixOnly && !prefixed {
		return Command{}, false // another bot's /help
	}
	c := Command{Name: info.name}
	project, rest, problem := projectArg(args)
	c.Args = rest
	switch {
	case problem != "":
		c.Problem = problem + ": " + info.usage
	case project != "" && !info.project:
		c.Problem = "`" + info.name + "` takes no project: " + info.usage
	case info.needsArgs && rest == "":
		c.Problem = "give a reason: " + info.usage
	}
	c.Project = project
	return c, true
}

// projectArg takes the project argument out of args: -p NAME, --project
// NAME, -p=NAME or --project=NAME, once, anywhere.
func projectArg(args string) (project, rest, problem string) {
	fields := strings.Fields(args)
	if len(fields) == 0 {
		return "", "", ""
	}
	var kept []string
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		var value string
		switch {
		case f == "-p" || f == "--project":
			if i+1 >= len(fields) {
				return "", "", "name the project after " + f
			}
			value = fields[i+1]
			i++
		case strings.HasPrefix(f, "-p="), strings.HasPrefix(f, "--project="):
			_, value, _ = strings.Cut(f, "=")
			if value == "" {
				return "", "", "name the project after " + f
			}
		default:
			kept = append(kept, f)
			continue
		}
		if project != "" && project != value {
			return "", "", "one project at a time"
		}
		project = value
	}
	if project == "" {
		return "", args, ""
	}
	return project, strings.Join(kept, " "), ""
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

// HelpText is the Markdown reply to /mpgate help: a table of the commands
// and who may use them.
func HelpText() string {
	var b strings.Builder
	b.WriteString("mpgate obeys these commands, each on a line of its own in a comment on the request. " +
		"Each may be written `/mpgate rebuild` or `@mpgate rebuild`; the short form `/rebuild` works too, except `/mpgate help` " +
		"(other bots answer `/help`).\n\n")
	b.WriteString("| Command | What it does | Who may use it |\n")
	b.WriteString("|---|---|---|\n")
	for _, c := range commands {
		who := "anyone"
		if c.name != CmdHelp {
			who = "write access or more (GitLab: Developer or more)"
		}
		b.WriteString("| `" + c.usage + "` | " + c.what + " | " + who + " |\n")
	}
	b.WriteString("\n`-p NAME` (or `--project NAME`) names a project of `.mpgate.yml`. Quoted lines and lines in code blocks are not commands.\n")
	return b.String()
}

// Permission is a user's access to a repository, weakest first. The zero
// value is PermissionNone.
type Permission int

// Permission levels (GitHub's names; gitlab.Permission maps GitLab's).
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

// Allowed says whether a user with permission p may use the command:
// /help anyone, every other command write access or more.
func (c Command) Allowed(p Permission) bool {
	if c.Name == CmdHelp {
		return true
	}
	return p >= PermissionWrite
}
