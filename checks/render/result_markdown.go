package render

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/lint"
)

// ResultOptions shape the Markdown renderings of a judged request (sticky
// comment, job summary, check run).
type ResultOptions struct {
	// Marker is a hidden marker line put first (a sticky comment's
	// bot.StickyMarker(key)); "" = none.
	Marker string
	// MaxBytes caps the Markdown output; 0 = 65536 (a GitHub comment). A job
	// summary passes 1<<20. Values below MinResultBytes are raised to it.
	MaxBytes int
	// Title is the heading; "" = "mpgate".
	Title string
	// DetailsURL links to the full results (check run, job), shown when
	// detail was folded or dropped. Only http and https URLs are linked.
	DetailsURL string
	// ReportURL links the HTML report (check --html: treemaps, budget bars),
	// on a line of its own after the result; "" = none. Only http and https
	// URLs are linked.
	ReportURL string
	// HeadingLevel of the title heading (1–4); 0 = 2.
	HeadingLevel int
	// MinChange is the size change, in bytes, a package may have and still
	// count as unchanged (folded with the unchanged packages; "no size
	// change" when every package is within it): .mpgate.yml's
	// comment.min_change.
	MinChange int64
}

// DefaultResultBytes is the Markdown cap when ResultOptions.MaxBytes is 0:
// GitHub's limit on a comment body.
const DefaultResultBytes = 65536

// MinResultBytes is the smallest cap honoured: the heading, the verdict and
// the note about what was left out need that much.
const MinResultBytes = 1024

// checkRunMax is GitHub's limit on a check run's summary and text.
const checkRunMax = 65535

// Which parts of a result a Markdown rendering carries.
const (
	partHead     = 1 << iota // title, verdict, one-line summary
	partSizes                // per-project size tables
	partGates                // all gates
	partFindings             // new, existing and fixed findings, lint problems
	partFiles                // files that changed most
	partAll      = partHead | partSizes | partGates | partFindings | partFiles
)

// Block priorities: when the output is still too large once every list was
// shortened, the blocks of lowest priority go first, from the end.
const (
	prioFiles = iota
	prioFindings
	prioSizes
	prioGates
	prioHead
)

// ResultMarkdown writes the judged request as GitHub-flavoured Markdown: the
// verdict, a size-diff table per project, every gate, the new findings before
// the existing (folded) and fixed ones, lint problems and the files that
// changed most. The output stays under o.MaxBytes: new notes and lint
// problems are folded into <details> first, then lists are shortened, least
// important first (existing notes, existing warnings, changed-file lists,
// package rows of unchanged size, existing errors, then new findings, lint
// problems and fixed findings), then whole tables and <details>
// elements are dropped, never cut, and a note says what is missing.
func ResultMarkdown(w io.Writer, res *compare.Result, o ResultOptions) error {
	if res == nil {
		return fmt.Errorf("rendering Markdown result: no result")
	}
	out, err := resultMarkdown(res, o, partAll, "in the check run")
	if err != nil {
		return fmt.Errorf("rendering Markdown result: %w", err)
	}
	if _, err := io.WriteString(w, out); err != nil {
		return fmt.Errorf("rendering Markdown result: %w", err)
	}
	return nil
}

// mdLimits say how much of each list a rendering shows; -1 is all.
type mdLimits struct {
	fold      bool   // new notes and lint problems folded into <details>
	existing  [3]int // per severity: error, warning, info
	newCap    int    // new findings per project, lint problems, fixed findings
	files     bool
	unchanged bool
}

// steps lists the renderings tried, fullest first.
func steps() []mdLimits {
	all := mdLimits{existing: [3]int{-1, -1, -1}, newCap: -1, files: true, unchanged: true}
	s := []mdLimits{all}
	l := all
	l.fold = true
	s = append(s, l)
	l.existing[2] = 0
	s = append(s, l)
	l.existing[1] = 0
	s = append(s, l)
	l.files = false
	s = append(s, l)
	l.unchanged = false
	s = append(s, l)
	l.existing[0] = 0
	s = append(s, l)
	for _, n := range []int{500, 200, 100, 50, 20, 10, 5, 0} {
		l.newCap = n
		s = append(s, l)
	}
	return s
}

type mdBlock struct {
	text string
	prio int
}

// omitted counts what a rendering left out.
type omitted struct {
	findings, files, packages, sections int
}

func (c omitted) any() bool { return c.findings+c.files+c.packages+c.sections > 0 }

type resultMD struct {
	res    *compare.Result
	o      ResultOptions
	lim    mdLimits
	parts  int
	blocks []mdBlock
	left   omitted
	folded bool
	where  string // where the full results are: "in the check run"
}

func resultMarkdown(res *compare.Result, o ResultOptions, parts int, where string) (string, error) {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultResultBytes
	}
	o.MaxBytes = max(o.MaxBytes, MinResultBytes)
	if o.HeadingLevel <= 0 || o.HeadingLevel > 4 {
		o.HeadingLevel = 2
	}
	marker := ""
	if o.Marker != "" {
		marker = strings.TrimRight(o.Marker, "\n") + "\n"
		if len(marker) > o.MaxBytes/4 {
			return "", fmt.Errorf("the marker (%d bytes) leaves no room under the cap of %d bytes", len(marker), o.MaxBytes)
		}
	}
	var r *resultMD
	for _, l := range steps() {
		r = &resultMD{res: res, o: o, lim: l, parts: parts, where: where}
		r.build()
		if out, ok := r.assemble(marker, where); ok {
			return out, nil
		}
	}
	// Still too large: drop whole blocks, least important and last first.
	for len(r.blocks) > 0 {
		if out, ok := r.assemble(marker, where); ok {
			return out, nil
		}
		drop := len(r.blocks) - 1
		for i := len(r.blocks) - 1; i >= 0; i-- {
			if r.blocks[i].prio < r.blocks[drop].prio {
				drop = i
			}
		}
		if r.blocks[drop].prio == prioHead {
			break
		}
		r.blocks = append(r.blocks[:drop], r.blocks[drop+1:]...)
		r.left.sections++
	}
	// Only the heading is left and it does not fit (a huge title): cut the
	// heading, plain text without tables or <details>, at a rune boundary.
	r.blocks = nil
	r.left.sections++
	note := r.note(where)
	room := o.MaxBytes - len(marker) - len(note)
	head := r.headText()
	if len(head) > room {
		head = cutUTF8(head, max(room-len("…\n\n"), 0)) + "…\n\n"
	}
	return marker + head + note, nil
}

// gist shortens a gate's summary for the headline: its first sentence,
// cut at a word to at most n bytes with "…" when longer, never leaving a
// code span open.
func gist(s string, n int) string {
	if i := strings.Index(s, ". "); i > 0 {
		s = s[:i]
	}
	if len(s) > n {
		cut := cutUTF8(s, n)
		if i := strings.LastIndexByte(cut, ' '); i > n/2 {
			cut = cut[:i]
		}
		s = strings.TrimRight(cut, " ,;:") + "…"
	}
	if strings.Count(s, "`")%2 == 1 {
		s = s[:strings.LastIndexByte(s, '`')] + strings.ReplaceAll(s[strings.LastIndexByte(s, '`'):], "`", "")
	}
	return s
}

func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func (r *resultMD) assemble(marker, where string) (string, bool) {
	var b strings.Builder
	b.WriteString(marker)
	for _, bl := range r.blocks {
		b.WriteString(bl.text)
	}
	if u := safeURL(r.o.ReportURL); u != "" {
		b.WriteString("📊 [Treemaps and budgets: the HTML report](" + u + ")\n\n")
	}
	b.WriteString(r.note(where))
	return b.String(), b.Len() <= r.o.MaxBytes
}

// note says what was left out, and where to find it.
func (r *resultMD) note(where string) string {
	link := safeURL(r.o.DetailsURL)
	if !r.left.any() {
		if r.folded && link != "" {
			return "[Full results](" + link + ")\n"
		}
		return ""
	}
	var what []string
	if n := r.left.findings; n > 0 {
		what = append(what, plural(n, "finding", "findings"))
	}
	if n := r.left.files; n > 0 {
		what = append(what, plural(n, "changed-file list", "changed-file lists"))
	}
	if n := r.left.packages; n > 0 {
		what = append(what, plural(n, "package row", "package rows")+" of unchanged size")
	}
	if n := r.left.sections; n > 0 {
		what = append(what, plural(n, "section", "sections"))
	}
	place := where
	if link != "" && where == "in the check run" {
		place = "in the [check run](" + link + ")"
	}
	return "> [!NOTE]\n> " + strings.Join(what, ", ") + " more " + place + " (not shown here: too long).\n"
}

// safeURL returns u for a Markdown link when it is an absolute http(s) URL,
// with anything that could end the link escaped; else "".
func safeURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	s := p.String()
	return strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E").Replace(s)
}

// rText escapes repository text for Markdown (mdText) and defuses @mentions.
func rText(s string) string {
	return strings.ReplaceAll(mdText(s), "@", "@\u200b")
}

func (r *resultMD) add(prio int, text string) {
	r.blocks = append(r.blocks, mdBlock{text: text, prio: prio})
}

func (r *resultMD) heading(extra int, text string) string {
	return strings.Repeat("#", min(r.o.HeadingLevel+extra, 6)) + " " + text + "\n\n"
}

func (r *resultMD) build() {
	if r.parts&partHead != 0 {
		r.add(prioHead, r.headText())
	}
	multi := len(r.res.Projects) > 1
	if r.parts&partSizes != 0 {
		for i, c := range r.res.Projects {
			r.sizes(i, c)
		}
		if len(r.res.Projects) > 0 {
			r.add(prioSizes, "<sub>Sizes: "+SizeLegend+". Budget: share of the limit used (🟡 over the warning share, 🔴 over the limit).</sub>\n\n")
		}
	}
	if r.parts&partGates != 0 {
		r.gates()
	}
	if r.parts&partFindings != 0 {
		for i, c := range r.res.Projects {
			r.findings(projectName(c, i, multi), c)
		}
		r.lint()
	}
	if r.parts&partFiles != 0 {
		for i, c := range r.res.Projects {
			r.files(projectName(c, i, multi), c)
		}
	}
}

func projectName(c *compare.Comparison, i int, multi bool) string {
	switch {
	case c.Project != "":
		return c.Project
	case multi:
		return "project " + strconv.Itoa(i+1)
	}
	return ""
}

func resultVerdict(res *compare.Result) string {
	if res.Verdict == "" {
		// Not finished: judge from what is there.
		v := checks.VerdictPass
		for _, c := range res.Projects {
			if c != nil && (c.Verdict == checks.VerdictFail || c.HeadError != "") {
				v = checks.VerdictFail
			}
		}
		for _, g := range res.Gates {
			if g.Blocks() {
				v = checks.VerdictFail
			}
		}
		return v
	}
	return res.Verdict
}

// headline is the one-line summary: failed gates, new findings, the package
// that grew most. It is plain text; callers escape it.
func headline(res *compare.Result, minChange int64) []string {
	var parts []string
	// Each failed gate is named with its figure; the growth of the largest
	// package is shown only when no gate failed (a failed size gate names
	// its own figures, and another gate's failure is not about sizes).
	failed := 0
	for _, g := range res.AllGates() {
		if g.Informational {
			continue
		}
		switch g.Status {
		case checks.GateFail:
			failed++
			parts = append(parts, g.Name+" failed: "+gist(g.Summary, 160))
		case checks.GateError:
			failed++
			parts = append(parts, g.Name+" could not be evaluated")
		}
	}
	headFailed, newErr, newWarn, newNote := 0, 0, 0, 0
	var grew *compare.PackageDiff
	var grewProject string
	for _, c := range res.Projects {
		if c == nil {
			continue
		}
		if c.HeadError != "" {
			headFailed++
		}
		for _, d := range c.NewDiagnostics {
			switch d.Severity {
			case checks.SeverityError:
				newErr++
			case checks.SeverityWarning:
				newWarn++
			default:
				newNote++
			}
		}
		for i := range c.Packages {
			p := &c.Packages[i]
			if p.Status == compare.Removed || p.Delta <= 0 || !sizeChanged(*p, minChange) {
				continue
			}
			if grew == nil || p.Delta > grew.Delta {
				grew, grewProject = p, c.Project
			}
		}
	}
	if headFailed > 0 {
		parts = append(parts, plural(headFailed, "project could not be analysed", "projects could not be analysed"))
	}
	if newErr > 0 {
		parts = append(parts, plural(newErr, "new error", "new errors"))
	}
	if newWarn > 0 {
		parts = append(parts, plural(newWarn, "new warning", "new warnings"))
	}
	if newNote > 0 {
		parts = append(parts, plural(newNote, "new note", "new notes"))
	}
	if grew != nil && failed == 0 {
		s := grew.Name
		if len(res.Projects) > 1 && grewProject != "" {
			s = grewProject + "/" + s
		}
		s += " " + signedSize(grew.Delta)
		if grew.Status != compare.Added && grew.Base > 0 {
			s += fmt.Sprintf(" (%+.1f%%)", grew.Percent)
		} else {
			s += " (new)"
		}
		parts = append(parts, s)
	}
	return parts
}

func (r *resultMD) headText() string {
	title := "mpgate"
	if r.o.Title != "" {
		title = rText(r.o.Title)
	}
	v := resultVerdict(r.res)
	word := "passed"
	if v != checks.VerdictPass {
		word = "failed"
	}
	var b strings.Builder
	b.WriteString(r.heading(0, title+" "+verdictIcon(v)+" "+word))
	line := headline(r.res, r.o.MinChange)
	if len(line) == 0 {
		line = []string{"all gates passed, no new findings"}
	}
	for i := range line {
		line[i] = rText(line[i])
	}
	b.WriteString("**" + strings.Join(line, " · ") + "**")
	if r.res.BaseRev != "" || r.res.HeadRev != "" {
		to := "head " + revCode(r.res.HeadRev)
		if r.res.HeadWorkingTree {
			to = "working tree (on " + revCode(r.res.HeadRev) + ")"
		}
		b.WriteString(" · base " + revCode(r.res.BaseRev) + " → " + to)
	}
	b.WriteString("\n\n")
	return b.String()
}

func revCode(rev string) string {
	if rev == "" {
		return "—"
	}
	if len(rev) > 12 {
		rev = cutUTF8(rev, 12)
	}
	return mdCode(rev)
}

func signedSize(n int64) string {
	switch {
	case n > 0:
		return "+" + Size(n)
	case n < 0:
		return "−" + Size(-n)
	}
	return "±0 B"
}

func (r *resultMD) sizes(i int, c *compare.Comparison) {
	if c == nil {
		return
	}
	var b strings.Builder
	name := projectName(c, i, len(r.res.Projects) > 1)
	head := "Sizes"
	if name != "" {
		head += " · " + rText(name)
	}
	icon := verdictIcon(c.Verdict)
	if c.Verdict == "" && c.HeadError == "" {
		icon = ""
	}
	b.WriteString(r.heading(1, strings.TrimSpace(head+" "+icon)))
	if c.HeadError != "" {
		b.WriteString("❌ The head could not be analysed: " + rText(c.HeadError) + "\n\n")
		r.add(prioSizes, b.String())
		return
	}
	switch {
	case c.Base == nil && c.BaseError != "":
		b.WriteString("⚠️ No base to compare with: " + rText(c.BaseError) + "\n\n")
	case c.Base == nil:
		b.WriteString("⚠️ No base report to compare with: every package counts as new.\n\n")
	}
	warn := 0.0
	if c.Head != nil {
		warn = c.Head.Limits.Warn
	}
	m := &md{}
	var changed, same []compare.PackageDiff
	for _, p := range c.Packages {
		if sizeChanged(p, r.o.MinChange) {
			changed = append(changed, p)
		} else {
			same = append(same, p)
		}
	}
	if len(changed) == 0 && c.Base != nil {
		b.WriteString("**No size change**")
		if r.o.MinChange > 0 {
			b.WriteString(" over " + Size(r.o.MinChange))
		}
		fmt.Fprintf(&b, " · total %s (%s)\n\n", Size(c.Total.Head), signedSize(c.Total.Delta))
	} else {
		b.WriteString("| Package | Base | Head | Change | Limit | Budget |\n|:--|--:|--:|--:|--:|:--|\n")
		for _, p := range changed {
			b.WriteString(r.sizeRow(m, p, warn))
		}
		t := c.Total
		total := signedSize(t.Delta)
		if t.Base > 0 {
			total += fmt.Sprintf(" (%+.1f%%)", t.Percent)
		}
		fmt.Fprintf(&b, "| **Total** | %s | %s | %s | %s | %s |\n\n", Size(t.Base), Size(t.Head), total, mdLimit(t.Limit), m.budget(t.Head, t.Limit, warn))
	}
	if len(same) > 0 {
		// Unchanged packages are shown on demand: folded, or counted when
		// the rendering is too long.
		summary := plural(len(same), "unchanged package", "unchanged packages")
		if r.o.MinChange > 0 {
			summary = plural(len(same), "package", "packages") + " changed by " + Size(r.o.MinChange) + " or less"
		}
		if r.lim.unchanged {
			r.folded = true
			b.WriteString("<details><summary>" + summary + "</summary>\n\n")
			b.WriteString("| Package | Base | Head | Change | Limit | Budget |\n|:--|--:|--:|--:|--:|:--|\n")
			for _, p := range same {
				b.WriteString(r.sizeRow(m, p, warn))
			}
			b.WriteString("\n</details>\n\n")
		} else {
			r.left.packages += len(same)
			b.WriteString("<sub>" + summary + " not shown.</sub>\n\n")
		}
	}
	r.add(prioSizes, b.String())
}

// sizeChanged reports whether a package's size changed by more than
// minChange bytes (an added or removed package always changed).
func sizeChanged(p compare.PackageDiff, minChange int64) bool {
	if p.Status == compare.Added || p.Status == compare.Removed {
		return true
	}
	return p.Delta > minChange || -p.Delta > minChange
}

func (r *resultMD) sizeRow(m *md, p compare.PackageDiff, warn float64) string {
	cell := mdCode(p.Name)
	if p.Alias != "" && p.Alias != p.Name {
		cell += " (" + rText(p.Alias) + ")"
	}
	base, headSize, change, budget := Size(p.Base), Size(p.Head), changeCell(p), m.budget(p.Head, p.Limit, warn)
	switch p.Status {
	case compare.Added:
		cell += " 🆕 added"
		base = "—"
	case compare.Removed:
		cell += " 🗑️ removed"
		headSize, budget = "—", "—"
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s | %s |\n", cell, base, headSize, change, mdLimit(p.Limit), budget)
}

func changeCell(p compare.PackageDiff) string {
	switch p.Status {
	case compare.Added:
		return signedSize(p.Delta) + " (new)"
	case compare.Removed:
		return signedSize(p.Delta) + " (removed)"
	}
	if p.Delta == 0 {
		return "±0 B"
	}
	if p.Base == 0 {
		return signedSize(p.Delta)
	}
	s := signedSize(p.Delta) + fmt.Sprintf(" (%+.1f%%)", p.Percent)
	return strings.Replace(s, "(-", "(−", 1)
}

func gateStatusText(s string) string {
	switch s {
	case checks.GatePass:
		return "passed"
	case checks.GateFail:
		return "failed"
	case checks.GateSkip:
		return "skipped"
	case checks.GateError:
		return "could not be evaluated"
	}
	return rText(s)
}

func (r *resultMD) gates() {
	var b strings.Builder
	b.WriteString(r.heading(1, "Gates"))
	n := 0
	b.WriteString("| Gate | Scope | Status | Summary |\n|:--|:--|:--|:--|\n")
	gateRow := func(scope string, g checks.Gate) {
		n++
		name := rText(g.Name)
		if g.Rule != "" && g.Rule != g.Name {
			name += " (" + rText(g.Rule) + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s %s | %s |\n", name, scope, gateIcon(g.Status), gateStatusText(g.Status), rText(g.Summary))
	}
	multi := len(r.res.Projects) > 1
	for i, c := range r.res.Projects {
		if c == nil {
			continue
		}
		scope := rText(projectName(c, i, multi))
		if scope == "" {
			scope = "mini-program"
		}
		if c.HeadError != "" {
			gateRow(scope, checks.Gate{Name: "analysis", Status: checks.GateError, Summary: "the head could not be analysed: " + c.HeadError})
		}
		for _, g := range c.Gates {
			gateRow(scope, g)
		}
	}
	for _, g := range r.res.Gates {
		gateRow("repository", g)
	}
	if n == 0 {
		r.add(prioGates, r.heading(1, "Gates")+"No gate was evaluated.\n\n")
		return
	}
	b.WriteString("\n")
	r.add(prioGates, b.String())
}

// findingRow writes one row of a findings table with a repository path.
func findingRow(b *strings.Builder, prefix string, d checks.Diagnostic) {
	where := "—"
	if d.File != "" {
		d.File = repoPath(prefix, d.File)
		where = mdCode(location(d))
	}
	msg := rText(d.Message)
	if d.Hint != "" {
		msg += "<br>💡 " + rText(d.Hint)
	}
	sev := d.Severity
	if sev != checks.SeverityError && sev != checks.SeverityWarning {
		sev = checks.SeverityInfo
	}
	fmt.Fprintf(b, "| %s | %s | %s | %s |\n", severityIcon(sev), rText(d.Rule), where, msg)
}

const findingsHeader = "| | Rule | Where | Message |\n|---|---|---|---|\n"

// ruleRows writes a findings table grouped by rule: at most maxPerRule rows
// of each rule, then a row "… and N more" for the rule. capRows (-1: none)
// bounds the rows of findings written; it returns how many findings the cap
// left out (the per-rule remainders are said in their rows, not counted).
func (r *resultMD) ruleRows(b *strings.Builder, prefix string, ds []checks.Diagnostic, capRows int, where string) (rows, left int) {
	header := false
	for _, g := range groupByRule(ds, func(d checks.Diagnostic) string { return d.Rule }) {
		n := min(len(g), maxPerRule)
		if capRows >= 0 {
			n = min(n, max(capRows-rows, 0))
		}
		if n == 0 {
			left += len(g)
			continue
		}
		if !header {
			b.WriteString(findingsHeader)
			header = true
		}
		for _, d := range g[:n] {
			findingRow(b, prefix, d)
		}
		rows += n
		switch rest := len(g) - n; {
		case rest == 0:
		case n < min(len(g), maxPerRule):
			left += rest // cut by the cap, not by the rule's share
		default:
			fmt.Fprintf(b, "| | %s | | *… and %d more %s* |\n", rText(g[0].Rule), rest, where)
		}
	}
	return rows, left
}

// bySeverity orders findings errors first, keeping their order otherwise.
func bySeverity(ds []checks.Diagnostic) [3][]checks.Diagnostic {
	g := groupDiagnostics(ds)
	return [3][]checks.Diagnostic{g[checks.SeverityError], g[checks.SeverityWarning], g[checks.SeverityInfo]}
}

func countText(g [3][]checks.Diagnostic) string {
	var parts []string
	for i, sev := range severities {
		if n := len(g[i]); n > 0 {
			parts = append(parts, severityNoun(sev, n))
		}
	}
	return strings.Join(parts, ", ")
}

func capList[T any](xs []T, n int) ([]T, int) {
	if n < 0 || len(xs) <= n {
		return xs, 0
	}
	return xs[:n], len(xs) - n
}

func (r *resultMD) findings(name string, c *compare.Comparison) {
	if c == nil || c.HeadError != "" {
		return
	}
	suffix := ""
	if name != "" {
		suffix = " · " + rText(name)
	}
	r.newFindings(suffix, c)
	r.existingFindings(suffix, c)
	r.fixedFindings(c)
}

// newFindings lists the request's new findings, notes folded under the rest.
func (r *resultMD) newFindings(suffix string, c *compare.Comparison) {
	newG := bySeverity(c.NewDiagnostics)
	var b strings.Builder
	if len(c.NewDiagnostics) == 0 {
		b.WriteString(r.heading(1, "New findings"+suffix) + "No new findings.\n\n")
	} else {
		b.WriteString(r.heading(1, "New findings"+suffix+": "+countText(newG)))
		all := append(append(append([]checks.Diagnostic{}, newG[0]...), newG[1]...), newG[2]...)
		shown, notes := all, []checks.Diagnostic(nil)
		if r.lim.fold && len(newG[2]) > 0 && len(newG[2]) < len(all) {
			// Notes never fail a request: folded away under the rest.
			shown, notes = all[:len(all)-len(newG[2])], newG[2]
		}
		rows, left := r.ruleRows(&b, c.PathPrefix, shown, r.lim.newCap, r.where)
		if rows > 0 {
			b.WriteString("\n")
		}
		if len(notes) > 0 {
			room := r.lim.newCap
			if room >= 0 {
				room = max(room-rows, 0)
			}
			var nb strings.Builder
			n, l := r.ruleRows(&nb, c.PathPrefix, notes, room, r.where)
			left += l
			if n > 0 {
				r.folded = true
				b.WriteString("<details><summary>" + plural(len(newG[2]), "new note", "new notes") + "</summary>\n\n")
				b.WriteString(nb.String())
				b.WriteString("\n</details>\n\n")
			}
		}
		r.left.findings += left
		if left > 0 {
			fmt.Fprintf(&b, "… %s not shown.\n\n", plural(left, "more new finding", "more new findings"))
		}
	}
	r.add(prioFindings, b.String())
}

// existingFindings folds the findings that were there before.
func (r *resultMD) existingFindings(suffix string, c *compare.Comparison) {
	if len(c.ExistingDiagnostics) == 0 {
		return
	}
	oldG := bySeverity(c.ExistingDiagnostics)
	var shown []checks.Diagnostic
	left := 0
	for i := range oldG {
		s, l := capList(oldG[i], r.lim.existing[i])
		shown = append(shown, s...)
		left += l
	}
	r.left.findings += left
	var e strings.Builder
	if len(shown) > 0 {
		r.folded = true
		e.WriteString("<details><summary>" + plural(len(c.ExistingDiagnostics), "existing finding", "existing findings") +
			" (" + countText(oldG) + ")" + strings.ReplaceAll(suffix, "\\", "") + "</summary>\n\n")
		r.ruleRows(&e, c.PathPrefix, shown, -1, r.where)
		if left > 0 {
			fmt.Fprintf(&e, "\n… %s not shown.\n", plural(left, "more existing finding", "more existing findings"))
		}
		e.WriteString("\n</details>\n\n")
	} else {
		e.WriteString(plural(len(c.ExistingDiagnostics), "existing finding", "existing findings") + " (" + countText(oldG) + "), not shown.\n\n")
	}
	r.add(prioFindings, e.String())
}

// fixedFindings lists what the request fixed.
func (r *resultMD) fixedFindings(c *compare.Comparison) {
	if len(c.FixedDiagnostics) == 0 {
		return
	}
	var f strings.Builder
	f.WriteString("**Fixed: " + plural(len(c.FixedDiagnostics), "finding", "findings") + "**\n\n")
	rows, left := 0, 0
	for _, g := range groupByRule(c.FixedDiagnostics, func(d checks.Diagnostic) string { return d.Rule }) {
		n := min(len(g), maxPerRule)
		if r.lim.newCap >= 0 {
			n = min(n, max(r.lim.newCap-rows, 0))
		}
		for _, d := range g[:n] {
			where := ""
			if d.File != "" {
				d.File = repoPath(c.PathPrefix, d.File)
				where = " " + mdCode(location(d))
			}
			f.WriteString("- ✔️ " + rText(d.Rule) + where + " " + rText(truncate(d.Message, 160)) + "\n")
		}
		rows += n
		switch rest := len(g) - n; {
		case rest == 0:
		case n < min(len(g), maxPerRule):
			left += rest
		default:
			fmt.Fprintf(&f, "- ✔️ %s *… and %d more %s*\n", rText(g[0].Rule), rest, r.where)
		}
	}
	r.left.findings += left
	if left > 0 {
		fmt.Fprintf(&f, "- … %s\n", plural(left, "more", "more"))
	}
	f.WriteString("\n")
	r.add(prioFindings, f.String())
}

func (r *resultMD) lint() {
	if len(r.res.Lint) == 0 {
		return
	}
	var b strings.Builder
	errs, warns := 0, 0
	for _, p := range r.res.Lint {
		if p.Severity == lint.Error {
			errs++
		} else {
			warns++
		}
	}
	b.WriteString(r.heading(1, "Lint problems: "+plural(errs, "error", "errors")+", "+plural(warns, "warning", "warnings")))
	// Lint problems as findings (errors first), grouped by rule like them.
	ds := make([]checks.Diagnostic, 0, len(r.res.Lint))
	for _, p := range r.res.Lint {
		sev := checks.SeverityWarning
		if p.Severity == lint.Error {
			sev = checks.SeverityError
		}
		ds = append(ds, checks.Diagnostic{Rule: lintRule(p), Severity: sev, File: p.File, Line: p.Line, Column: p.Column, Message: p.Message})
	}
	g := bySeverity(ds)
	ds = append(g[0], g[1]...)
	var t strings.Builder
	rows, left := r.ruleRows(&t, "", ds, r.lim.newCap, r.where)
	r.left.findings += left
	fold := r.lim.fold && rows > 0
	if fold {
		r.folded = true
		b.WriteString("<details><summary>" + plural(len(r.res.Lint), "lint problem", "lint problems") + "</summary>\n\n")
	}
	if rows > 0 {
		b.WriteString(t.String())
		b.WriteString("\n")
	}
	if fold {
		b.WriteString("</details>\n\n")
	}
	if left > 0 {
		fmt.Fprintf(&b, "… %s not shown.\n\n", plural(left, "more lint problem", "more lint problems"))
	}
	r.add(prioFindings, b.String())
}

func lintRule(p lint.Problem) string {
	tool := p.Tool
	if tool == "" {
		tool = "lint"
	}
	if p.Rule == "" {
		return tool
	}
	return tool + "/" + p.Rule
}

func (r *resultMD) files(name string, c *compare.Comparison) {
	if c == nil || c.HeadError != "" {
		return
	}
	var rows int
	for _, p := range c.Packages {
		rows += len(p.Files)
	}
	if rows == 0 {
		return
	}
	if !r.lim.files {
		r.left.files++
		return
	}
	r.folded = true
	var b strings.Builder
	title := "Files that changed most"
	if name != "" {
		title += " · " + strings.ReplaceAll(rText(name), "\\", "")
	}
	b.WriteString("<details><summary>" + title + "</summary>\n\n")
	b.WriteString("| Package | File | Base | Head | Change |\n|:--|:--|--:|--:|--:|\n")
	for _, p := range c.Packages {
		for _, f := range p.Files {
			base, head := Size(f.Base), Size(f.Head)
			switch f.Status {
			case compare.Added:
				base = "—"
			case compare.Removed:
				head = "—"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdCode(p.Name), mdCode(repoPath(c.PathPrefix, f.Path)), base, head, signedSize(f.Delta))
		}
	}
	b.WriteString("\n</details>\n\n")
	r.add(prioFiles, b.String())
}

// ResultHasChanges reports whether a judged request has something a
// comment must say: a package added, removed or changed in size by more
// than minChange bytes, a new or fixed finding, a lint problem counted, a
// gate that failed or could not be evaluated (informational ones too), a
// project that could not be analysed or has no base. Callers honouring
// .mpgate.yml's comment.require_changes post no comment without one.
func ResultHasChanges(res *compare.Result, minChange int64) bool {
	if res == nil {
		return false
	}
	if len(res.Lint) > 0 {
		return true
	}
	for _, g := range res.AllGates() {
		if g.Status == checks.GateFail || g.Status == checks.GateError {
			return true
		}
	}
	for _, c := range res.Projects {
		if c == nil {
			continue
		}
		if c.HeadError != "" || c.Base == nil || len(c.NewDiagnostics) > 0 || len(c.FixedDiagnostics) > 0 {
			return true
		}
		for _, p := range c.Packages {
			if sizeChanged(p, minChange) {
				return true
			}
		}
	}
	return false
}
