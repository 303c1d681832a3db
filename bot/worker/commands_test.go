package worker

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/bot"
)

// stepSummary is a commandStep in one line, for the table below.
func stepSummary(st commandStep) string {
	var parts []string
	if st.accepted {
		parts = append(parts, "+1")
	}
	switch {
	case st.reply == bot.HelpText():
		parts = append(parts, "reply help")
	case st.reply != "":
		parts = append(parts, "reply "+st.reply)
	}
	if st.release {
		parts = append(parts, "release")
	}
	if st.approve != "" {
		parts = append(parts, "approve "+string(st.approve))
	}
	return st.cmd.Name + ": " + strings.Join(parts, ", ")
}

func TestPlanComment(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		refused map[string]string // command name to refusal
		steps   []string
		// evaluation: "" none, else rebuild/recheck/reuse/plain and the projects
		eval string
	}{
		{"help only", "/mpgate help", nil, []string{"help: +1, reply help"}, ""},
		{"rebuild all", "/rebuild", nil, []string{"rebuild: +1"}, "rebuild []"},
		{"rebuild one project", "/rebuild -p shop", nil, []string{"rebuild: +1"}, "rebuild [shop]"},
		{"recheck", "/recheck", nil, []string{"recheck: +1"}, "recheck"},
		{"rebuild wins over recheck", "/recheck\n/rebuild", nil, []string{"recheck: +1", "rebuild: +1"}, "rebuild []"},
		{"approve-size reuses the stored reports", "/approve-size icons", nil, []string{"approve-size: +1, approve " + string(bot.ApproveSize)}, "reuse"},
		{"a project's approval", "/approve-size -p shop icons", nil, []string{"approve-size: +1, approve " + string(bot.SizeApprovalOf("shop"))}, "reuse"},
		{"recheck wins over reuse", "/approve-size icons\n/recheck", nil, []string{"approve-size: +1, approve " + string(bot.ApproveSize), "recheck: +1"}, "recheck"},
		{"ok-to-build builds", "/ok-to-build", nil, []string{"ok-to-build: +1, approve " + string(bot.ApproveBuild)}, "plain"},
		{"ok-to-build with an approval still reuses", "/ok-to-build\n/approve-size icons", nil,
			[]string{"ok-to-build: +1, approve " + string(bot.ApproveBuild), "approve-size: +1, approve " + string(bot.ApproveSize)}, "reuse"},
		{"changelog and release reply", "/changelog\n/release", nil, []string{"changelog: +1, release", "release: +1, release"}, ""},
		{"a refused command is answered, not obeyed", "/rebuild\n/recheck", map[string]string{"rebuild": "no access"},
			[]string{"rebuild: reply no access", "recheck: +1"}, "recheck"},
		{"nothing accepted, no evaluation", "/rebuild", map[string]string{"rebuild": "no access"}, []string{"rebuild: reply no access"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmds := bot.ParseCommands(tt.body)
			if len(cmds) == 0 {
				t.Fatalf("no commands in %q", tt.body)
			}
			var rulings []ruling
			for _, c := range cmds {
				rulings = append(rulings, ruling{cmd: c, refusal: tt.refused[c.Name]})
			}
			p := planComment("alice", rulings)
			var steps []string
			for _, st := range p.steps {
				steps = append(steps, stepSummary(st))
			}
			if !slices.Equal(steps, tt.steps) {
				t.Errorf("steps\n%q\nwant\n%q", steps, tt.steps)
			}
			var eval string
			switch {
			case !p.evaluate:
			case p.rebuild:
				eval = fmt.Sprintf("rebuild %v", p.rebuildOnly)
			case p.recheck:
				eval = "recheck"
			case p.reuse:
				eval = "reuse"
			default:
				eval = "plain"
			}
			if eval != tt.eval {
				t.Errorf("evaluation %q, want %q", eval, tt.eval)
			}
			if p.recheck && p.reuse || p.rebuild && (p.recheck || p.reuse) {
				t.Errorf("more than one evaluation mode: %+v", p)
			}
		})
	}
}

// Several /rebuild commands (as comments of other forms can give them):
// the projects add up, and one without a project rebuilds them all.
func TestPlanCommentRebuilds(t *testing.T) {
	rb := func(project string) ruling { return ruling{cmd: bot.Command{Name: bot.CmdRebuild, Project: project}} }
	tests := []struct {
		rulings []ruling
		want    []string
	}{
		{[]ruling{rb("shop"), rb("admin")}, []string{"shop", "admin"}},
		{[]ruling{rb("shop"), rb("")}, nil},
		{[]ruling{rb(""), rb("shop")}, nil},
	}
	for _, tt := range tests {
		p := planComment("alice", tt.rulings)
		if !p.evaluate || !p.rebuild || !slices.Equal(p.rebuildOnly, tt.want) {
			t.Errorf("%+v: plan %+v, want a rebuild of %q", tt.rulings, p, tt.want)
		}
	}
}

// A command this server does not handle is answered so.
func TestPlanCommentUnhandled(t *testing.T) {
	p := planComment("alice", []ruling{{cmd: bot.Command{Name: "deploy"}}})
	if len(p.steps) != 1 || !p.steps[0].accepted || p.steps[0].reply != "@alice `/deploy` is not handled by this server yet." || p.evaluate {
		t.Errorf("plan %+v", p)
	}
}
