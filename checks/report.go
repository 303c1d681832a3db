// Package checks is mpgate's engine: a mini-program directory (source or build
// output) in, a Report out. It has no network, no git and no forge types; the
// bot and the CLI build on it.
//
// The JSON shape of Report is a contract (schema "mpgate.report/v1"): fields may
// be added, none may change meaning without a new schema value.
package checks

// Schema is the value of Report.Schema for the JSON shape defined here.
const Schema = "mpgate.report/v1"

// MainPackage is the name the platforms themselves give the main package.
const MainPackage = "__APP__"

// Package kinds.
const (
	KindMain       = "main"
	KindSubpackage = "subpackage"
	KindWorkers    = "workers" // WeChat workers packed as their own subpackage
)

// Size bases: which figure the package limits were judged on.
const (
	BasisBytes       = "bytes"       // source bytes as they are
	BasisUploadBytes = "uploadBytes" // estimate after the platform's own processing
)

// Verdicts.
const (
	VerdictPass = "pass"
	VerdictFail = "fail"
)

// Gate statuses.
const (
	GatePass  = "pass"
	GateFail  = "fail"
	GateError = "error" // the gate could not be evaluated; never a silent pass
	GateSkip  = "skip"  // not configured
)

// Report is the result of analysing one mini-program.
type Report struct {
	Schema   string `json:"schema"`
	Platform string `json:"platform"`
	// Root is the mini-program root relative to the analysed directory ("" when
	// they are the same), with "/".
	Root    string `json:"root"`
	Project string `json:"project,omitempty"`
	// Revision is the commit the report was made at, when it was made in a
	// clean git checkout: a report used as a base (--base-report) then
	// tells which lines the request changed.
	Revision string    `json:"revision,omitempty"`
	Packages []Package `json:"packages"`
	// TotalBytes is the sum of the packages' Bytes.
	TotalBytes       int64 `json:"totalBytes"`
	TotalUploadBytes int64 `json:"totalUploadBytes"`
	TotalGzipBytes   int64 `json:"totalGzipBytes"`
	// Limits are the limits the packages were judged against.
	Limits Limits `json:"limits"`
	// SizeBasis says whether the limits were judged on "bytes" or on "uploadBytes".
	SizeBasis string `json:"sizeBasis"`
	// UploadNotes say which parts of the upload estimate are approximations
	// of processing mpgate does not model (docs/sizes.md).
	UploadNotes []string     `json:"uploadNotes,omitempty"`
	Diagnostics []Diagnostic `json:"diagnostics"`
	Gates       []Gate       `json:"gates"`
	Verdict     string       `json:"verdict"`
	// Files lists every counted file with its package and sizes. Renderers
	// and the comparison use it; it is large, so the JSON carries it only when
	// asked (Options.IncludeFiles), which stored baselines do.
	Files []File `json:"files,omitempty"`
}

// Package is one package of the mini-program: the main package, a subpackage
// or a workers package.
type Package struct {
	// Name is "__APP__" for the main package, else the root without leading
	// "./" or "/" and without trailing "/".
	Name string `json:"name"`
	// Alias is the subpackage's declared name, if any.
	Alias       string `json:"alias,omitempty"`
	Root        string `json:"root"`
	Kind        string `json:"kind"`
	Independent bool   `json:"independent"`
	Bytes       int64  `json:"bytes"`
	UploadBytes int64  `json:"uploadBytes"`
	GzipBytes   int64  `json:"gzipBytes"`
	// BrotliBytes is computed only on request (mpgate check --brotli).
	BrotliBytes int64 `json:"brotliBytes,omitempty"`
	Files       int   `json:"files"`
	Limit       int64 `json:"limit"`
	Pages       int   `json:"pages"`
}

// Limits are byte limits. Warn is a share of a limit in percent (90 = 90%).
type Limits struct {
	Package     int64   `json:"package"`
	MainPackage int64   `json:"mainPackage"`
	Total       int64   `json:"total"`
	Preload     int64   `json:"preload"`
	Warn        float64 `json:"warn"`
}

// File is one counted (uploaded) file.
type File struct {
	Path        string `json:"path"`
	Package     string `json:"package"`
	Bytes       int64  `json:"bytes"`
	UploadBytes int64  `json:"uploadBytes"`
	GzipBytes   int64  `json:"gzipBytes"`
	// Used is false for files nothing references (MP305), which the platform
	// leaves out of the upload when the project asks it to.
	Used bool `json:"used"`
}

// Severity of a diagnostic.
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Diagnostic is one finding at a place in the mini-program.
type Diagnostic struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// File is relative to the mini-program root, with "/"; empty for findings
	// about the program as a whole.
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
	// Package the finding belongs to, when it belongs to one.
	Package string `json:"package,omitempty"`
	// Bytes at stake (wasted, duplicated or movable bytes; bytes over a limit).
	Bytes int64 `json:"bytes,omitempty"`
}

// Gate is the verdict of one gate.
type Gate struct {
	Name    string `json:"name"`
	Rule    string `json:"rule,omitempty"`
	Status  string `json:"status"`
	Summary string `json:"summary"`
	// Informational gates are reported with their status but never fail
	// the verdict (the config's informational: true).
	Informational bool `json:"informational,omitempty"`
}

// Blocks reports whether the gate fails the verdict: it failed or could not
// be evaluated, and it is not informational.
func (g Gate) Blocks() bool {
	return !g.Informational && (g.Status == GateFail || g.Status == GateError)
}
