// Command calibrate compares mpgate's package sizes with WeChat's own, as
// printed by wechat-sizes.js for the same project:
//
//	node scripts/wechat-sizes/wechat-sizes.js --files <projectDir> > wechat.json
//	go run ./scripts/wechat-sizes/calibrate <projectDir> wechat.json
//
// It prints, per package, mpgate's source bytes (pack.Filter without ignore
// rules, as analyseCode counts) against analyseBytes, and mpgate's upload
// estimate (pack.Filter with the project's rules, pack.Estimator under its
// settings) against compiledBytes; with -ext, the same per file extension.
// The "mpgate" column is what analyze.Run reports (packages' uploadBytes,
// with the unused-file rule and the compiled-JSON set from the dependency
// graph), the figure the limits are judged on.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/analyze"
	"github.com/mpgate/mpgate/checks/manifest"
	"github.com/mpgate/mpgate/checks/pack"
	"github.com/mpgate/mpgate/checks/platform"
	"github.com/mpgate/mpgate/checks/tree"
)

type wechat struct {
	Packages []struct {
		Name          string
		AnalyseBytes  int64
		AnalyseFiles  int
		CompiledBytes int64
		CompiledFiles int
	}
	Files map[string]struct {
		Analyse  *int64
		Compiled *int64
	}
}

func main() {
	byExt := flag.Bool("ext", false, "also compare per file extension (needs wechat-sizes.js --files)")
	files := flag.Int("files", 0, "also list the N files whose estimate is furthest from WeChat's (needs --files)")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: calibrate [-ext] <projectDir> <wechat-sizes.json>")
		os.Exit(2)
	}
	if err := run(context.Background(), flag.Arg(0), flag.Arg(1), *byExt, *files, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "calibrate:", err)
		os.Exit(1)
	}
}

// run measures projectDir the way analyze does and prints it against
// WeChat's figures in wechatJSON. The stages keep the order of their side
// effects: the warnings, then the figures read, then analyze.Run.
func run(ctx context.Context, projectDir, wechatJSON string, byExt bool, nFiles int, w io.Writer) error {
	pr, err := load(ctx, projectDir)
	if err != nil {
		return err
	}
	m, err := pr.measure(ctx)
	if err != nil {
		return err
	}
	rows, extOurs := pr.tally(m)
	wx, err := readWechat(wechatJSON)
	if err != nil {
		return err
	}
	// What mpgate itself reports (analyze.Run: the unused-file rule and
	// the compiled-JSON set from the dependency graph applied).
	rep, err := analyze.Run(ctx, projectDir, analyze.Options{Platform: platform.WeChat})
	if err != nil {
		return fmt.Errorf("analysing: %w", err)
	}
	fmt.Fprintf(w, "transforms=%v settings=%+v postcss=%v\n", m.est.Transforms(), pr.proj.Setting, pr.postCSS)
	for _, n := range rep.UploadNotes {
		fmt.Fprintln(w, "note:", n)
	}
	printPackages(w, wx, rows, rep)
	if byExt && wx.Files != nil {
		printExts(w, wx, extOurs)
	}
	if nFiles > 0 && wx.Files != nil {
		listFiles(w, nFiles, m.all, pr.withRules, m.sizes, wx)
	}
	return nil
}

// project is what calibrate reads of a project: its settings, its files,
// its package layout and its two upload filters.
type project struct {
	p         *platform.Platform
	proj      *manifest.Project
	postCSS   bool
	t         *tree.Tree
	layout    *pack.Layout
	plain     *pack.Filter // without the project's ignore rules, as analyseCode counts
	withRules *pack.Filter // with them, as the upload is built
}

// load reads the project settings, walks the mini-program root and reads
// app.json.
func load(ctx context.Context, projectDir string) (*project, error) {
	p, _ := platform.Get(platform.WeChat)
	src, err := os.ReadFile(filepath.Join(projectDir, p.ProjectConfig))
	if err != nil {
		return nil, fmt.Errorf("reading project settings: %w", err)
	}
	proj, _ := manifest.ParseProject(src, p.ProjectConfig, p)
	if proj == nil {
		return nil, fmt.Errorf("parsing %s failed", p.ProjectConfig)
	}
	root := filepath.Join(projectDir, filepath.FromSlash(proj.MiniprogramRoot))
	t, err := tree.Walk(ctx, root)
	if err != nil {
		return nil, fmt.Errorf("walking: %w", err)
	}
	appSrc, err := t.ReadFile("app.json", 1<<20)
	if err != nil {
		return nil, fmt.Errorf("reading app.json: %w", err)
	}
	app, _ := manifest.ParseApp(appSrc, "app.json", p)
	if app == nil {
		return nil, fmt.Errorf("parsing app.json failed")
	}
	pr := &project{p: p, proj: proj, t: t, layout: pack.NewLayout(app)}
	if pr.plain, err = pack.NewFilter(p, nil); err != nil {
		return nil, err
	}
	if pr.withRules, err = pack.NewFilter(p, proj); err != nil {
		fmt.Fprintln(os.Stderr, "warning:", err)
	}
	// manifest.Setting has no postcss yet: read it here.
	var raw struct {
		Setting struct {
			PostCSS bool `json:"postcss"`
		} `json:"setting"`
	}
	_ = json.Unmarshal(src, &raw) // parsed above already; a failure leaves false
	pr.postCSS = raw.Setting.PostCSS
	return pr, nil
}

// measured is the estimator's answer for a project.
type measured struct {
	est       *pack.Estimator
	all       []string          // the files either filter uploads
	generated map[string]string // compiled source → the name it is uploaded under
	sizes     map[string]pack.Sizes
}

// measure runs the estimator over every uploaded file and every source the
// compiler plugins compile (.ts, .less, .scss): their output is uploaded
// under the generated name, as analyze counts it.
func (pr *project) measure(ctx context.Context) (measured, error) {
	var m measured
	for _, f := range pr.t.Files {
		if pr.plain.Uploaded(f.Path) || pr.withRules.Uploaded(f.Path) {
			m.all = append(m.all, f.Path)
		}
	}
	layout := pr.layout
	m.est = pack.NewEstimatorOptions(pr.p, pr.proj.Setting, pack.Options{PostCSS: pr.postCSS,
		HelperRoot: func(f string) string {
			if info, ok := layout.Package(layout.PackageOf(f)); ok && info.Independent {
				return info.Root
			}
			return ""
		}})
	m.generated = map[string]string{}
	var gen []string
	for _, f := range pr.t.Files {
		if target, ok := m.est.Generated(f.Path); ok && !pr.t.Exists(target) && pr.withRules.Uploaded(target) {
			m.generated[f.Path] = target
			gen = append(gen, f.Path)
		}
	}
	sizes, err := pack.Measure(ctx, pr.t, append(m.all, gen...), m.est)
	if err != nil {
		return measured{}, fmt.Errorf("measuring: %w", err)
	}
	m.sizes = sizes
	return m, nil
}

// row is one line of a comparison: source bytes, upload estimate, and the
// upload compressed.
type row struct{ bytes, upload, gzip, brotli int64 }

// rowOf is m[k], added empty when missing.
func rowOf(m map[string]*row, k string) *row {
	if m[k] == nil {
		m[k] = &row{}
	}
	return m[k]
}

// tally sums m per package and per file extension; what the estimator adds
// (helpers, compiled output) counts under "(added) ext".
func (pr *project) tally(m measured) (rows, extOurs map[string]*row) {
	layout := pr.layout
	rows = map[string]*row{}
	for _, pk := range layout.Packages() {
		rows[pk.Name] = &row{}
	}
	extOurs = map[string]*row{}
	for path, s := range m.sizes {
		if s.Hash != "" || !strings.Contains(path, pack.HelperDir+"/") {
			continue
		}
		rows[layout.PackageOf(path)].upload += s.Upload
		rowOf(extOurs, "(added) js").upload += s.Upload
	}
	for src, target := range m.generated {
		rows[layout.PackageOf(target)].upload += m.sizes[src].Upload
		rowOf(extOurs, "(added) "+ext(target)).upload += m.sizes[src].Upload
	}
	for _, path := range m.all {
		r := rows[layout.PackageOf(path)]
		s := m.sizes[path]
		if pr.plain.Uploaded(path) {
			r.bytes += s.Bytes
		}
		if pr.withRules.Uploaded(path) {
			r.upload += s.Upload
			r.gzip += s.Gzip
			r.brotli += s.Brotli
			e := rowOf(extOurs, ext(path))
			e.bytes += s.Bytes
			e.upload += s.Upload
		}
	}
	return rows, extOurs
}

// readWechat reads the figures wechat-sizes.js printed.
func readWechat(name string) (wechat, error) {
	var wx wechat
	b, err := os.ReadFile(name)
	if err != nil {
		return wx, fmt.Errorf("reading WeChat's figures: %w", err)
	}
	if err := json.Unmarshal(b, &wx); err != nil {
		return wx, fmt.Errorf("decoding %s: %w", name, err)
	}
	return wx, nil
}

// printPackages prints, per package WeChat lists, the source bytes against
// analyseBytes, the upload estimate and what analyze reports against
// compiledBytes.
func printPackages(w io.Writer, wx wechat, rows map[string]*row, rep *checks.Report) {
	reported := map[string]int64{}
	for _, pk := range rep.Packages {
		reported[pk.Name] = pk.UploadBytes
	}
	fmt.Fprintf(w, "%-28s %10s %10s %8s | %10s %10s %8s | %10s %8s\n", "package", "bytes", "analyse", "diff", "upload", "compiled", "off", "mpgate", "off")
	for _, pk := range wx.Packages {
		r := rows[pk.Name]
		if r == nil {
			r = &row{}
		}
		fmt.Fprintf(w, "%-28s %10d %10d %8d | %10d %10d %7.2f%% | %10d %7.2f%%\n", pk.Name, r.bytes, pk.AnalyseBytes,
			r.bytes-pk.AnalyseBytes, r.upload, pk.CompiledBytes, pct(r.upload, pk.CompiledBytes),
			reported[pk.Name], pct(reported[pk.Name], pk.CompiledBytes))
	}
}

// printExts prints the same comparison per file extension; files WeChat
// compiles without a source count under "(added) ext".
func printExts(w io.Writer, wx wechat, extOurs map[string]*row) {
	extWx := map[string]*row{}
	for path, f := range wx.Files {
		e := ext(path)
		if f.Compiled == nil {
			continue
		}
		if f.Analyse == nil {
			e = "(added) " + e
		}
		x := rowOf(extWx, e)
		if f.Analyse != nil {
			x.bytes += *f.Analyse
		}
		x.upload += *f.Compiled
	}
	var keys []string
	for k := range extWx {
		keys = append(keys, k)
	}
	for k := range extOurs {
		if extWx[k] == nil {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	fmt.Fprintf(w, "\n%-16s %10s %10s | %10s %10s %8s\n", "ext", "src(ours)", "src(wx)", "upload", "compiled", "off")
	for _, k := range keys {
		o, x := extOurs[k], extWx[k]
		if o == nil {
			o = &row{}
		}
		if x == nil {
			x = &row{}
		}
		fmt.Fprintf(w, "%-16s %10d %10d | %10d %10d %7.2f%%\n", k, o.bytes, x.bytes, o.upload, x.upload, pct(o.upload, x.upload))
	}
}

// listFiles prints the n uploaded files whose estimate is furthest, in
// bytes, from WeChat's compiled size, with their source size.
func listFiles(w io.Writer, n int, all []string, f *pack.Filter, sizes map[string]pack.Sizes, wx wechat) {
	type diff struct {
		path                 string
		src, ours, wechat, d int64
	}
	var ds []diff
	for _, path := range all {
		x, ok := wx.Files[path]
		if !ok || x.Compiled == nil || !f.Uploaded(path) {
			continue
		}
		s := sizes[path]
		ds = append(ds, diff{path, s.Bytes, s.Upload, *x.Compiled, s.Upload - *x.Compiled})
	}
	sort.Slice(ds, func(i, j int) bool { return abs(ds[i].d) > abs(ds[j].d) })
	fmt.Fprintf(w, "\n%-60s %9s %9s %9s %8s\n", "file", "source", "upload", "compiled", "off")
	for i, d := range ds {
		if i == n {
			break
		}
		fmt.Fprintf(w, "%-60s %9d %9d %9d %7.2f%%\n", d.path, d.src, d.ours, d.wechat, pct(d.ours, d.wechat))
	}
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

func pct(ours, theirs int64) float64 {
	if theirs == 0 {
		return 0
	}
	return 100 * float64(ours-theirs) / float64(theirs)
}

func ext(path string) string {
	base := path[strings.LastIndexByte(path, '/')+1:]
	if i := strings.LastIndexByte(base, '.'); i >= 0 {
		return strings.ToLower(base[i+1:])
	}
	return ""
}
