// Command accuracy compares mpgate with WeChat's own miniprogram-ci on a folder
// of real mini-programs, package by package: source bytes against analyseCode,
// the upload estimate against getCompiledResult, and mpgate's MP210 against the
// references analyseCode could not resolve. It is not part of go test; run.sh
// installs miniprogram-ci and builds mpgate when they are not given:
//
//	scripts/accuracy/run.sh [-o table.md] <programs>...
//	go run ./scripts/accuracy -ci /opt/wxci -mpgate /tmp/mpgate -o table.md <programs>...
//
// Each argument is a WeChat project (a folder holding project.config.json) or a
// folder searched for them (node_modules, miniprogram_npm and dot folders are
// skipped; a project's own subfolders are not searched). See docs/accuracy.md.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func main() {
	ciDir := flag.String("ci", os.Getenv("WECHAT_SIZES_CI_DIR"), "folder holding node_modules/miniprogram-ci")
	mpgate := flag.String("mpgate", "mpgate", "the mpgate binary to measure")
	sizes := flag.String("sizes", "scripts/wechat-sizes/wechat-sizes.js", "wechat-sizes.js")
	out := flag.String("o", "", "also write the Markdown report to this file")
	raw := flag.String("json", "", "also write every program's raw figures (JSON) to this file")
	timeout := flag.Duration("timeout", 15*time.Minute, "time allowed per program for miniprogram-ci")
	flag.Parse()
	if *ciDir == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: accuracy -ci <dir with node_modules/miniprogram-ci> [-mpgate bin] [-o table.md] [-json raw.json] <programs>...")
		os.Exit(2)
	}
	h := harness{ciDir: *ciDir, mpgate: *mpgate, sizes: *sizes, timeout: *timeout}
	if err := h.run(context.Background(), flag.Args(), *out, *raw, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "accuracy:", err)
		os.Exit(1)
	}
}

type harness struct {
	ciDir, mpgate, sizes string
	timeout              time.Duration
}

// project is one WeChat project found under an argument.
type project struct {
	name, dir, top string
}

// wechatFigures is wechat-sizes.js --deps output.
type wechatFigures struct {
	Packages []struct {
		Name          string `json:"name"`
		AnalyseBytes  int64  `json:"analyseBytes"`
		CompiledBytes int64  `json:"compiledBytes"`
		CompiledFiles int    `json:"compiledFiles"`
	} `json:"packages"`
	CompileError *string `json:"compileError"`
	Unresolved   []struct {
		File    string `json:"file"`
		Request string `json:"request"`
		Type    string `json:"type"`
		Error   string `json:"error"`
	} `json:"unresolved"`
}

// report is the part of mpgate's JSON report (docs/report.md) compared here.
type report struct {
	Packages []struct {
		Name        string `json:"name"`
		Bytes       int64  `json:"bytes"`
		UploadBytes int64  `json:"uploadBytes"`
	} `json:"packages"`
	Diagnostics []struct {
		Rule     string `json:"rule"`
		Severity string `json:"severity"`
		File     string `json:"file"`
		Line     int    `json:"line"`
		Message  string `json:"message"`
	} `json:"diagnostics"`
	Reports []json.RawMessage `json:"reports"`
}

// pkgRow is one package compared.
type pkgRow struct {
	Name                     string
	Bytes, Analyse           int64
	Upload, Compiled         int64
	UploadErrPct             float64
	InMpgate, InWeChat       bool
	CompiledKnown, BytesSame bool
}

// result is one project compared.
type result struct {
	Program, Commit string
	Packages        []pkgRow
	CompileError    string
	Errors          map[string]int // mpgate error findings by rule
	WeChatUnres     int            // references analyseCode could not resolve
	MP210           int
	Matched         int      // MP210 findings WeChat also reports (same file and request)
	WeChatOnly      []string // unresolved by WeChat, no MP210: possibly missed true errors
	MP210CodeOnly   []string // MP210 on a code reference (require/import/template/...) WeChat resolved
	Failure         string   // the project could not be measured
	Seconds         float64
}

func (h harness) run(ctx context.Context, args []string, outPath, rawPath string, w io.Writer) error {
	var projects []project
	for _, a := range args {
		ps, err := discover(a)
		if err != nil {
			return err
		}
		projects = append(projects, ps...)
	}
	if len(projects) == 0 {
		return errors.New("no project.config.json found under the arguments")
	}
	var results []result
	for _, p := range projects {
		slog.Info("measuring", "program", p.name)
		r := h.measure(ctx, p)
		slog.Info("measured", "program", p.name, "seconds", int(r.Seconds), "failure", r.Failure)
		results = append(results, r)
	}
	md := markdown(results)
	if _, err := io.WriteString(w, md); err != nil {
		return err
	}
	if outPath != "" {
		if err := os.WriteFile(outPath, []byte(md), 0o644); err != nil {
			return fmt.Errorf("writing the report: %w", err)
		}
	}
	if rawPath != "" {
		b, err := json.MarshalIndent(results, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(rawPath, b, 0o644); err != nil {
			return fmt.Errorf("writing the raw figures: %w", err)
		}
	}
	return nil
}

// discover returns the WeChat projects at or under arg.
func discover(arg string) ([]project, error) {
	abs, err := filepath.Abs(arg)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(abs, "project.config.json")); err == nil {
		return []project{{name: filepath.ToSlash(filepath.Clean(arg)), dir: abs, top: abs}}, nil
	}
	var out []project
	err = filepath.WalkDir(abs, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		n := d.Name()
		if path != abs && (strings.HasPrefix(n, ".") || n == "node_modules" || n == "miniprogram_npm") {
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(path, "project.config.json")); err == nil {
			rel, _ := filepath.Rel(abs, path)
			out = append(out, project{name: filepath.Base(abs) + "/" + filepath.ToSlash(rel), dir: path, top: abs})
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("searching %s: %w", arg, err)
	}
	return out, nil
}

// commit names the program's source: a .commit file in the program's folder
// (written when it was brought in), else git.
func commit(ctx context.Context, p project) string {
	for d := p.dir; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, ".commit")); err == nil {
			return strings.TrimSpace(string(b))
		}
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil || d == filepath.Dir(d) {
			break
		}
	}
	out, err := exec.CommandContext(ctx, "git", "-C", p.dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}

func (h harness) measure(ctx context.Context, p project) (r result) {
	start := time.Now()
	r = result{Program: p.name, Commit: commit(ctx, p), Errors: map[string]int{}}
	defer func() { r.Seconds = time.Since(start).Seconds() }()

	cctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(cctx, "node", h.sizes, "--ci", h.ciDir, "--deps", p.dir)
	cmd.Stderr = &stderr
	wout, err := cmd.Output()
	if err != nil {
		r.Failure = fmt.Sprintf("miniprogram-ci: %v: %s", err, lastLine(stderr.String()))
		return r
	}
	var wx wechatFigures
	if err := json.Unmarshal(wout, &wx); err != nil {
		r.Failure = fmt.Sprintf("decoding wechat-sizes output: %v", err)
		return r
	}

	mout, err := exec.CommandContext(ctx, h.mpgate, "check", "--format", "json", p.dir).Output()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		r.Failure = fmt.Sprintf("mpgate: %v", err)
		return r
	}
	var rep report
	if err := json.Unmarshal(mout, &rep); err != nil {
		r.Failure = fmt.Sprintf("decoding mpgate's report: %v", err)
		return r
	}
	if len(rep.Reports) > 0 {
		rep = report{}
		if err := json.Unmarshal(rep.Reports[0], &rep); err != nil {
			r.Failure = fmt.Sprintf("decoding mpgate's first report: %v", err)
			return r
		}
	}
	compare(&r, wx, rep)
	return r
}

func compare(r *result, wx wechatFigures, rep report) {
	compiled := wx.CompileError == nil
	if !compiled {
		r.CompileError = *wx.CompileError
	}
	rows := map[string]*pkgRow{}
	var names []string
	row := func(name string) *pkgRow {
		if rows[name] == nil {
			rows[name] = &pkgRow{Name: name}
			names = append(names, name)
		}
		return rows[name]
	}
	for _, pk := range wx.Packages {
		x := row(pk.Name)
		x.InWeChat = true
		x.Analyse, x.Compiled = pk.AnalyseBytes, pk.CompiledBytes
	}
	for _, pk := range rep.Packages {
		x := row(pk.Name)
		x.InMpgate = true
		x.Bytes, x.Upload = pk.Bytes, pk.UploadBytes
	}
	for _, n := range names {
		x := rows[n]
		x.BytesSame = x.InWeChat && x.InMpgate && x.Bytes == x.Analyse
		x.CompiledKnown = compiled && x.InWeChat && x.InMpgate
		if x.CompiledKnown && x.Compiled > 0 {
			x.UploadErrPct = 100 * float64(x.Upload-x.Compiled) / float64(x.Compiled)
		}
		r.Packages = append(r.Packages, *x)
	}

	type ref struct{ file, target string }
	unresolved := map[ref]bool{}
	for _, u := range wx.Unresolved {
		r.WeChatUnres++
		unresolved[ref{u.File, u.Request}] = true
	}
	mp210 := map[ref]bool{}
	for _, d := range rep.Diagnostics {
		if d.Severity == "error" {
			r.Errors[d.Rule]++
		}
		if d.Rule != "MP210" {
			continue
		}
		r.MP210++
		kind, target := mp210Target(d.Message)
		k := ref{d.File, target}
		mp210[k] = true
		switch {
		case unresolved[k] || unresolved[ref{d.File, "/" + strings.TrimPrefix(target, "/")}]:
			r.Matched++
		case kind != "resource":
			r.MP210CodeOnly = append(r.MP210CodeOnly, fmt.Sprintf("%s:%d %s", d.File, d.Line, d.Message))
		}
	}
	for _, u := range wx.Unresolved {
		if !mp210[ref{u.File, u.Request}] && !mp210[ref{u.File, strings.TrimPrefix(u.Request, "/")}] {
			r.WeChatOnly = append(r.WeChatOnly, fmt.Sprintf("%s: %s", u.File, u.Error))
		}
	}
}

// mp210Target reads the kind and the path out of an MP210 message
// ("require './x' in a/b.js resolves to no file").
func mp210Target(msg string) (kind, target string) {
	kind, rest, _ := strings.Cut(msg, " ")
	if i := strings.IndexByte(rest, '\''); i >= 0 {
		if j := strings.IndexByte(rest[i+1:], '\''); j >= 0 {
			target = rest[i+1 : i+1+j]
		}
	}
	return kind, target
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func markdown(results []result) string {
	var b strings.Builder
	b.WriteString("| program | commit | packages | bytes exact | worst upload error | error findings | WeChat unresolved | MP210 (matched / code refs WeChat resolved) |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		if r.Failure != "" {
			fmt.Fprintf(&b, "| %s | %s | – | – | – | – | – | not measured: %s |\n", r.Program, short(r.Commit), cell(r.Failure))
			continue
		}
		exact, worst, known := "y", 0.0, false
		for _, p := range r.Packages {
			if !p.BytesSame {
				exact = "n"
			}
			if p.CompiledKnown && math.Abs(p.UploadErrPct) >= math.Abs(worst) {
				worst, known = p.UploadErrPct, true
			}
		}
		up := "n/a (does not compile)"
		if known {
			up = fmt.Sprintf("%+.1f%%", worst)
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s | %d | %d (%d / %d) |\n", r.Program, short(r.Commit), len(r.Packages),
			exact, up, byRule(r.Errors), r.WeChatUnres, r.MP210, r.Matched, len(r.MP210CodeOnly))
	}
	b.WriteString("\nUpload error: (mpgate uploadBytes − getCompiledResult bytes) / getCompiledResult bytes, the package with the largest |error|.\n")
	for _, r := range results {
		if r.Failure != "" {
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n\n", r.Program)
		if r.CompileError != "" {
			fmt.Fprintf(&b, "getCompiledResult failed: %s\n\n", cell(r.CompileError))
		}
		b.WriteString("| package | bytes | analyseCode | upload | compiled | upload error |\n|---|---:|---:|---:|---:|---:|\n")
		for _, p := range r.Packages {
			e := "–"
			if p.CompiledKnown {
				e = fmt.Sprintf("%+.1f%%", p.UploadErrPct)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %s | %s |\n", p.Name, maybe(p.InMpgate, p.Bytes), maybe(p.InWeChat, p.Analyse), p.Upload,
				maybe(p.CompiledKnown, p.Compiled), e)
		}
		list(&b, "Unresolved by WeChat without an MP210 (missed errors?)", r.WeChatOnly)
		list(&b, "MP210 on code references WeChat resolved (false errors?)", r.MP210CodeOnly)
	}
	return b.String()
}

func list(b *strings.Builder, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s:\n\n", title)
	for i, s := range items {
		if i == 20 {
			fmt.Fprintf(b, "- and %d more\n", len(items)-20)
			break
		}
		fmt.Fprintf(b, "- %s\n", cell(s))
	}
}

func byRule(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s×%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

func maybe(ok bool, n int64) string {
	if !ok {
		return "–"
	}
	return fmt.Sprint(n)
}

func short(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

func cell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", "\\|")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
