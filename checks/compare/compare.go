// Package compare sets a head report against its base: per-package size
// changes, the files that changed most, the diagnostics the head brings, and
// the gates (GATE-SIZE, GATE-COV, GATE-PATCH, GATE-LINT) that judge the change.
package compare

import (
	"cmp"
	"math"
	"slices"

	"github.com/mpgate/mpgate/checks"
)

// Package statuses.
const (
	Added     = "added"
	Removed   = "removed"
	Changed   = "changed"
	Unchanged = "unchanged"
)

// PackageDiff is one package before and after.
type PackageDiff struct {
	Name   string `json:"name"`
	Alias  string `json:"alias,omitempty"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
	// Base and Head are the sizes the limits are judged on (the reports'
	// sizeBasis); Bytes, Upload and Gzip pairs are there for display.
	Base       int64 `json:"base"`
	Head       int64 `json:"head"`
	Delta      int64 `json:"delta"`
	BaseBytes  int64 `json:"baseBytes"`
	HeadBytes  int64 `json:"headBytes"`
	BaseGzip   int64 `json:"baseGzip"`
	HeadGzip   int64 `json:"headGzip"`
	BaseUpload int64 `json:"baseUpload"`
	HeadUpload int64 `json:"headUpload"`
	// Percent is the change against Base; NaN-free: 0 when Base is 0.
	Percent float64 `json:"percent"`
	Limit   int64   `json:"limit"`
	// Share is Head as a share of Limit, in percent.
	Share float64 `json:"share"`
	// Files lists the files that changed most (by absolute delta).
	Files []FileDiff `json:"files,omitempty"`
}

// FileDiff is one file before and after.
type FileDiff struct {
	Path   string `json:"path"`
	Status string `json:"status"`
	Base   int64  `json:"base"`
	Head   int64  `json:"head"`
	Delta  int64  `json:"delta"`
}

// Totals of the whole program.
type Totals struct {
	Base    int64   `json:"base"`
	Head    int64   `json:"head"`
	Delta   int64   `json:"delta"`
	Percent float64 `json:"percent"`
	Limit   int64   `json:"limit"`
}

// Comparison is the result of Compare.
type Comparison struct {
	Schema  string `json:"schema"`
	Project string `json:"project,omitempty"`
	// BaseRev and HeadRev name the revisions compared, when known.
	BaseRev string `json:"baseRev,omitempty"`
	HeadRev string `json:"headRev,omitempty"`
	// BaseError says why there is no base (build failed, no stored report).
	BaseError string `json:"baseError,omitempty"`
	// HeadError says why there is no head report (its build failed); Head is
	// then nil and the verdict fails.
	HeadError string         `json:"headError,omitempty"`
	Head      *checks.Report `json:"head"`
	Base      *checks.Report `json:"base,omitempty"`
	Packages  []PackageDiff  `json:"packages"`
	Total     Totals         `json:"total"`
	// NewDiagnostics are in the head and not in the base; Existing were there
	// before; Fixed were in the base and are gone.
	NewDiagnostics      []checks.Diagnostic `json:"newDiagnostics"`
	ExistingDiagnostics []checks.Diagnostic `json:"existingDiagnostics"`
	FixedDiagnostics    []checks.Diagnostic `json:"fixedDiagnostics"`
	Gates               []checks.Gate       `json:"gates"`
	Verdict             string              `json:"verdict"`
	// PathPrefix is the mini-program root relative to the repository ("" or
	// "dist/shop/"): diagnostics' paths are relative to the mini-program root,
	// annotations need repository paths.
	PathPrefix string `json:"pathPrefix,omitempty"`
}

// HeadFailed is the comparison of a project whose head could not be built or
// analysed: it fails, and says why.
func HeadFailed(project string, err error) *Comparison {
	return &Comparison{Schema: ComparisonSchema, Project: project, HeadError: err.Error(), Gates: []checks.Gate{},
		NewDiagnostics: []checks.Diagnostic{}, ExistingDiagnostics: []checks.Diagnostic{}, FixedDiagnostics: []checks.Diagnostic{},
		Verdict: checks.VerdictFail}
}

// ComparisonSchema identifies the JSON shape of a Comparison.
const ComparisonSchema = "mpgate.comparison/v1"

// TopFiles is how many changed files are kept per package.
const TopFiles = 10

// Compare sets head against base; base may be nil (no base: every package is
// new, and gates that need a base say so).
func Compare(base, head *checks.Report) *Comparison {
	c := &Comparison{Schema: ComparisonSchema, Head: head, Base: base, Project: head.Project,
		Gates: []checks.Gate{}, NewDiagnostics: []checks.Diagnostic{}, ExistingDiagnostics: []checks.Diagnostic{},
		FixedDiagnostics: []checks.Diagnostic{}}
	basis := func(r *checks.Report, p checks.Package) int64 {
		if r.SizeBasis == checks.BasisUploadBytes {
			return p.UploadBytes
		}
		return p.Bytes
	}
	var basePkgs map[string]checks.Package
	if base != nil {
		basePkgs = map[string]checks.Package{}
		for _, p := range base.Packages {
			basePkgs[p.Name] = p
		}
	}
	seen := map[string]bool{}
	for _, hp := range head.Packages {
		seen[hp.Name] = true
		d := PackageDiff{Name: hp.Name, Alias: hp.Alias, Kind: hp.Kind, Head: basis(head, hp), HeadBytes: hp.Bytes,
			HeadGzip: hp.GzipBytes, HeadUpload: hp.UploadBytes, Limit: hp.Limit, Status: Added}
		if bp, ok := basePkgs[hp.Name]; ok {
			d.Base, d.BaseBytes, d.BaseGzip, d.BaseUpload = basis(base, bp), bp.Bytes, bp.GzipBytes, bp.UploadBytes
			d.Status = Unchanged
		}
		c.Packages = append(c.Packages, d)
	}
	if base != nil {
		for _, bp := range base.Packages {
			if seen[bp.Name] {
				continue
			}
			c.Packages = append(c.Packages, PackageDiff{Name: bp.Name, Alias: bp.Alias, Kind: bp.Kind, Status: Removed,
				Base: basis(base, bp), BaseBytes: bp.Bytes, BaseGzip: bp.GzipBytes, BaseUpload: bp.UploadBytes, Limit: bp.Limit})
		}
	}
	files := fileDiffs(base, head)
	for i := range c.Packages {
		d := &c.Packages[i]
		d.Delta = d.Head - d.Base
		d.Percent = percent(d.Delta, d.Base)
		if d.Limit > 0 {
			d.Share = 100 * float64(d.Head) / float64(d.Limit)
		}
		if d.Status == Unchanged && (d.Delta != 0 || d.HeadBytes != d.BaseBytes) {
			d.Status = Changed
		}
		d.Files = files[d.Name]
		if d.Status == Unchanged && len(d.Files) > 0 {
			d.Status = Changed
		}
		c.Total.Base += d.Base
		c.Total.Head += d.Head
	}
	c.Total.Delta = c.Total.Head - c.Total.Base
	c.Total.Percent = percent(c.Total.Delta, c.Total.Base)
	c.Total.Limit = head.Limits.Total
	c.diagnostics()
	return c
}

func percent(delta, base int64) float64 {
	if base == 0 {
		return 0
	}
	p := 100 * float64(delta) / float64(base)
	if math.IsNaN(p) || math.IsInf(p, 0) {
		return 0
	}
	return p
}

// fileDiffs lists, per package (of the head, or of the base for removed
// files), the files that changed most. Reports need Files for this; without
// them the lists are empty.
func fileDiffs(base, head *checks.Report) map[string][]FileDiff {
	size := func(r *checks.Report, f checks.File) int64 {
		if r.SizeBasis == checks.BasisUploadBytes {
			return f.UploadBytes
		}
		return f.Bytes
	}
	baseFiles := map[string]checks.File{}
	if base != nil {
		for _, f := range base.Files {
			baseFiles[f.Path] = f
		}
	}
	out := map[string][]FileDiff{}
	seen := map[string]bool{}
	for _, hf := range head.Files {
		seen[hf.Path] = true
		d := FileDiff{Path: hf.Path, Head: size(head, hf), Status: Added}
		if bf, ok := baseFiles[hf.Path]; ok {
			d.Base, d.Status = size(base, bf), Changed
		} else if base == nil || len(base.Files) == 0 {
			continue // nothing to compare with
		}
		d.Delta = d.Head - d.Base
		if d.Delta == 0 && d.Status == Changed {
			continue
		}
		out[hf.Package] = append(out[hf.Package], d)
	}
	if base != nil {
		for _, bf := range base.Files {
			if seen[bf.Path] || len(head.Files) == 0 {
				continue
			}
			b := size(base, bf)
			out[bf.Package] = append(out[bf.Package], FileDiff{Path: bf.Path, Status: Removed, Base: b, Delta: -b})
		}
	}
	for name, fs := range out {
		slices.SortFunc(fs, func(a, b FileDiff) int {
			return cmp.Or(cmp.Compare(abs(b.Delta), abs(a.Delta)), cmp.Compare(a.Path, b.Path))
		})
		if len(fs) > TopFiles {
			fs = fs[:TopFiles]
		}
		out[name] = fs
	}
	return out
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// diagKey identifies a finding across revisions: lines move, so they are
// left out; the message names the files involved.
func diagKey(d checks.Diagnostic) string {
	return d.Rule + "\x00" + d.File + "\x00" + d.Message
}

func (c *Comparison) diagnostics() {
	before := map[string]int{}
	if c.Base != nil {
		for _, d := range c.Base.Diagnostics {
			before[diagKey(d)]++
		}
	}
	for _, d := range c.Head.Diagnostics {
		k := diagKey(d)
		if c.Base != nil && before[k] > 0 {
			before[k]--
			c.ExistingDiagnostics = append(c.ExistingDiagnostics, d)
			continue
		}
		c.NewDiagnostics = append(c.NewDiagnostics, d)
	}
	if c.Base == nil {
		return
	}
	after := map[string]int{}
	for _, d := range c.Head.Diagnostics {
		after[diagKey(d)]++
	}
	for _, d := range c.Base.Diagnostics {
		k := diagKey(d)
		if after[k] > 0 {
			after[k]--
			continue
		}
		c.FixedDiagnostics = append(c.FixedDiagnostics, d)
	}
}

// Finish computes the verdict once the gates are in: fail on a failed or
// unevaluable gate, or on an error diagnostic in the head.
func (c *Comparison) Finish() {
	c.Verdict = checks.VerdictPass
	if c.Head == nil {
		c.Verdict = checks.VerdictFail
		return
	}
	for _, d := range c.Head.Diagnostics {
		if d.Severity == checks.SeverityError {
			c.Verdict = checks.VerdictFail
		}
	}
	for _, g := range c.Gates {
		if g.Blocks() {
			c.Verdict = checks.VerdictFail
		}
	}
}

// summarize formats a byte delta with its sign.
func signed(n int64) string {
	if n > 0 {
		return "+" + checks.FormatBytes(n)
	}
	return checks.FormatBytes(n)
}

// label names a package in gate summaries.
func label(d PackageDiff) string {
	if d.Name == checks.MainPackage {
		return "main package"
	}
	return d.Name
}
