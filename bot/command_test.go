package bot

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseCommands(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []Command
	}{
		{"empty", "", nil},
		{"plain text", "looks good to me", nil},
		{"rebuild", "/rebuild", []Command{{Name: CmdRebuild, Line: 1}}},
		{"case-insensitive", "/ReBuild", []Command{{Name: CmdRebuild, Line: 1}}},
		{"trailing spaces", "/recheck   \t", []Command{{Name: CmdRecheck, Line: 1}}},
		{"CRLF", "hi\r\n/recheck\r\n", []Command{{Name: CmdRecheck, Line: 2}}},
		{"leading spaces up to three", "   /recheck", []Command{{Name: CmdRecheck, Line: 1}}},
		{"indented code ignored", "    /rebuild", nil},
		{"tab-indented code ignored", "\t/rebuild", nil},
		{"approve-size with reason", "/approve-size vendor SDK upgrade, see #12",
			[]Command{{Name: CmdApproveSize, Args: "vendor SDK upgrade, see #12", Line: 1}}},
		{"approve-size case and spacing", "/APPROVE-SIZE    big   images  ",
			[]Command{{Name: CmdApproveSize, Args: "big   images", Line: 1}}},
		{"approve-size without reason", "/approve-size",
			[]Command{{Name: CmdApproveSize, Line: 1, Problem: "give a reason: /approve-size [-p project] <why>"}}},
		{"approve-size blank reason", "/approve-size   ",
			[]Command{{Name: CmdApproveSize, Line: 1, Problem: "give a reason: /approve-size [-p project] <why>"}}},
		{"all commands", "/rebuild\n/recheck\n/approve-size x\n/ok-to-build\n/mpgate help\n/changelog\n/release",
			[]Command{
				{Name: CmdRebuild, Line: 1}, {Name: CmdRecheck, Line: 2},
				{Name: CmdApproveSize, Args: "x", Line: 3}, {Name: CmdOkToBuild, Line: 4},
				{Name: CmdHelp, Line: 5}, {Name: CmdChangelog, Line: 6}, {Name: CmdRelease, Line: 7},
			}},
		{"at most one of each, first wins", "/approve-size first\n/rebuild\n/approve-size second\n/REBUILD",
			[]Command{{Name: CmdApproveSize, Args: "first", Line: 1}, {Name: CmdRebuild, Line: 2}}},
		{"unknown ignored", "/foo\n/lgtm\n/rebuild", []Command{{Name: CmdRebuild, Line: 3}}},
		{"longer word ignored", "/rebuilding\n/rebuild-all\n/helpme", nil},
		{"text before slash ignored", "please /rebuild\nthen /recheck", nil},
		{"quoted ignored", "> /rebuild\n>/recheck\n> > /help", nil},
		{"bare slash", "/\n/ rebuild", nil},
		{"fenced backticks ignored", "```\n/rebuild\n```\n/recheck",
			[]Command{{Name: CmdRecheck, Line: 4}}},
		{"fenced with info string", "```sh\n/rebuild\n```", nil},
		{"fenced tildes ignored", "~~~\n/rebuild\n~~~\n/mpgate help", []Command{{Name: CmdHelp, Line: 4}}},
		{"shorter fence does not close", "````\n```\n/rebuild\n````\n/release",
			[]Command{{Name: CmdRelease, Line: 5}}},
		{"other fence char does not close", "```\n~~~\n/rebuild\n```\n/release",
			[]Command{{Name: CmdRelease, Line: 5}}},
		{"unclosed fence hides the rest", "```\n/rebuild", nil},
		{"inside HTML comment ignored", "<!--\n/rebuild\n-->\n/recheck", []Command{{Name: CmdRecheck, Line: 4}}},
		{"HTML comment opened after text", "note <!-- hidden\n/rebuild\nstill -->\n@mpgate help", []Command{{Name: CmdHelp, Line: 4}}},
		{"HTML comment closed and reopened", "<!--\n--> <!--\n/rebuild\n-->\n/release", []Command{{Name: CmdRelease, Line: 5}}},
		{"one-line HTML comment", "<!-- mpgate:sticky -->\n/rebuild", []Command{{Name: CmdRebuild, Line: 2}}},
		{"args kept for argless command", "/rebuild please", []Command{{Name: CmdRebuild, Args: "please", Line: 1}}},
		{"tab after name", "/approve-size\treason", []Command{{Name: CmdApproveSize, Args: "reason", Line: 1}}},
		{"among prose", "Thanks!\n\n/ok-to-build\n\nLet's see.", []Command{{Name: CmdOkToBuild, Line: 3}}},
		// The prefix: /mpgate NAME and @mpgate NAME; bare where unambiguous.
		{"slash prefix", "/mpgate rebuild", []Command{{Name: CmdRebuild, Line: 1}}},
		{"at prefix", "@mpgate recheck", []Command{{Name: CmdRecheck, Line: 1}}},
		{"at prefix as the app's login", "@mpgate[bot] rebuild", []Command{{Name: CmdRebuild, Line: 1}}},
		{"prefix any case", "/MPGate ReBuild", []Command{{Name: CmdRebuild, Line: 1}}},
		{"prefix alone is help", "/mpgate", []Command{{Name: CmdHelp, Line: 1}}},
		{"prefixed help", "/mpgate help", []Command{{Name: CmdHelp, Line: 1}}},
		{"bare help is Prow's", "/help", nil},
		{"other bot's mention ignored", "@dependabot rebase\n@prow rebuild", nil},
		{"at without prefix ignored", "@rebuild", nil},
		{"prefixed unknown answered", "/mpgate deploy now",
			[]Command{{Args: "deploy", Line: 1, Problem: "`deploy` is not an mpgate command; comment `/mpgate help` for the list"}}},
		{"bare unknown ignored", "/deploy", nil},
		{"prefix glued is not the prefix", "/mpgaterebuild", nil},
		{"prefix and bare form are one command", "/rebuild\n/mpgate rebuild", []Command{{Name: CmdRebuild, Line: 1}}},
		{"prefixed approve-size", "@mpgate approve-size new fonts",
			[]Command{{Name: CmdApproveSize, Args: "new fonts", Line: 1}}},
		// The project argument.
		{"project short", "/rebuild -p shop", []Command{{Name: CmdRebuild, Project: "shop", Line: 1}}},
		{"project long", "/mpgate rebuild --project shop", []Command{{Name: CmdRebuild, Project: "shop", Line: 1}}},
		{"project with =", "/recheck --project=admin", []Command{{Name: CmdRecheck, Project: "admin", Line: 1}}},
		{"project short with =", "/recheck -p=admin", []Command{{Name: CmdRecheck, Project: "admin", Line: 1}}},
		{"project before the reason", "/approve-size -p shop vendor SDK",
			[]Command{{Name: CmdApproveSize, Project: "shop", Args: "vendor SDK", Line: 1}}},
		{"project after the reason", "/approve-size vendor SDK --project shop",
			[]Command{{Name: CmdApproveSize, Project: "shop", Args: "vendor SDK", Line: 1}}},
		{"project without reason", "/approve-size -p shop",
			[]Command{{Name: CmdApproveSize, Project: "shop", Line: 1, Problem: "give a reason: /approve-size [-p project] <why>"}}},
		{"project missing its name", "/rebuild -p",
			[]Command{{Name: CmdRebuild, Line: 1, Problem: "name the project after -p: /rebuild [-p project]"}}},
		{"project empty after =", "/rebuild --project=",
			[]Command{{Name: CmdRebuild, Line: 1, Problem: "name the project after --project=: /rebuild [-p project]"}}},
		{"two projects", "/rebuild -p shop -p admin",
			[]Command{{Name: CmdRebuild, Line: 1, Problem: "one project at a time: /rebuild [-p project]"}}},
		{"same project twice", "/rebuild -p shop --project shop", []Command{{Name: CmdRebuild, Project: "shop", Line: 1}}},
		{"project on a command without one", "/ok-to-build -p shop",
			[]Command{{Name: CmdOkToBuild, Project: "shop", Line: 1, Problem: "`ok-to-build` takes no project: /ok-to-build"}}},
		{"project keeps the other args", "/rebuild please -p shop", []Command{{Name: CmdRebuild, Project: "shop", Args: "please", Line: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseCommands(tt.body)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseCommands(%q)\n got %+v\nwant %+v", tt.body, got, tt.want)
			}
		})
	}
}

func TestHelpText(t *testing.T) {
	h := HelpText()
	for _, want := range []string{
		"| Command | What it does | Who may use it |",
		"`/rebuild [-p project]`", "`/recheck [-p project]`", "`/approve-size [-p project] <why>`", "`/ok-to-build`",
		"`/mpgate help`", "`@mpgate rebuild`", "`/changelog`", "`/release`", "anyone", "write access",
	} {
		t.Run(want, func(t *testing.T) {
			if !strings.Contains(h, want) {
				t.Errorf("HelpText() lacks %q:\n%s", want, h)
			}
		})
	}
	// Every command listed in the help is one ParseCommands recognises.
	t.Run("every listed command parses", func(t *testing.T) {
		for _, c := range commands {
			got := ParseCommands(c.usage)
			if len(got) != 1 || got[0].Name != c.name || got[0].Problem != "" {
				t.Errorf("usage %q parses to %+v", c.usage, got)
			}
		}
	})
}

func TestParsePermission(t *testing.T) {
	tests := []struct {
		in   string
		want Permission
	}{
		{"admin", PermissionAdmin},
		{"ADMIN", PermissionAdmin},
		{"maintain", PermissionMaintain},
		{"write", PermissionWrite},
		{"push", PermissionWrite},
		{"triage", PermissionTriage},
		{"read", PermissionRead},
		{"pull", PermissionRead},
		{"none", PermissionNone},
		{"", PermissionNone},
		{"security-manager", PermissionNone},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := ParsePermission(tt.in); got != tt.want {
				t.Errorf("ParsePermission(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestPermissionString(t *testing.T) {
	tests := []struct {
		p    Permission
		want string
	}{
		{PermissionNone, "none"}, {PermissionWrite, "write"}, {PermissionAdmin, "admin"},
		{Permission(42), "Permission(42)"}, {Permission(-1), "Permission(-1)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCommandAllowed(t *testing.T) {
	all := []Permission{PermissionNone, PermissionRead, PermissionTriage, PermissionWrite, PermissionMaintain, PermissionAdmin}
	for _, c := range commands {
		for _, p := range all {
			t.Run(c.name+"/"+p.String(), func(t *testing.T) {
				want := c.name == CmdHelp || p >= PermissionWrite
				if got := (Command{Name: c.name}).Allowed(p); got != want {
					t.Errorf("Allowed(%v) = %v, want %v", p, got, want)
				}
			})
		}
	}
}

func FuzzParseCommands(f *testing.F) {
	for _, s := range []string{
		"/rebuild", "/approve-size", "/approve-size why\n/help", "```\n/rebuild\n```",
		"> /recheck", "   /release\r\n", "\t/help", "/REBUILD  \n/rebuild", "~~~~\n~~~\n/x",
		"/ok-to-build\n/changelog\n/release\n", "<!--\n/rebuild\n-->", "\xff/rebuild", "/approve-size \xff",
		"/mpgate rebuild -p shop", "@mpgate approve-size --project=a why", "/mpgate", "@mpgate[bot] nope", "/rebuild -p", "/recheck -p a -p b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		cmds := ParseCommands(body)
		lines := strings.Count(body, "\n") + 1
		seen := map[string]bool{}
		prev := 0
		for _, c := range cmds {
			if c.Name == "" {
				// An unknown name after the prefix: answered, never obeyed.
				if c.Problem == "" || c.Project != "" {
					t.Fatalf("unknown prefixed command without a problem: %+v from %q", c, body)
				}
			} else if _, ok := lookupCommand(c.Name); !ok {
				t.Fatalf("unknown command %q from %q", c.Name, body)
			} else if seen[c.Name] {
				t.Fatalf("command %q twice from %q", c.Name, body)
			}
			seen[c.Name] = true
			if c.Project != "" && (strings.ContainsAny(c.Project, " \t\r\n") || strings.HasPrefix(c.Project, "=")) {
				t.Fatalf("project %q is not one word", c.Project)
			}
			if c.Name == CmdHelp && c.Problem == "" && !strings.Contains(strings.ToLower(body), Prefix) {
				t.Fatalf("help without the prefix from %q", body)
			}
			if c.Line <= prev || c.Line > lines {
				t.Fatalf("line %d out of order or range (prev %d, %d lines) in %q", c.Line, prev, lines, body)
			}
			prev = c.Line
			if c.Args != strings.TrimSpace(c.Args) {
				t.Fatalf("untrimmed args %q", c.Args)
			}
			if c.Name == CmdApproveSize && (c.Args == "") != (c.Problem != "") {
				t.Fatalf("approve-size: a problem exactly when the reason is missing: %+v", c)
			}
			if utf8.ValidString(body) && !utf8.ValidString(c.Args) {
				t.Fatalf("invalid UTF-8 args from valid body")
			}
		}
	})
}

func ExampleParseCommands() {
	body := "Thanks!\n\n/approve-size the new map SDK, agreed with @lead\n> /rebuild\n```\n/release\n```\n/RECHECK\n/approve-size"
	for _, c := range ParseCommands(body) {
		fmt.Printf("line %d: %s %q problem=%q\n", c.Line, c.Name, c.Args, c.Problem)
	}
	// Output:
	// line 3: approve-size "the new map SDK, agreed with @lead" problem=""
	// line 8: recheck "" problem=""
}
