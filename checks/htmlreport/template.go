package htmlreport

import "html/template"

// page is the whole document. The CSS makes it usable on a phone: tables scroll inside their own box, the
// treemap scales to the screen's width, long paths wrap.
var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
*{box-sizing:border-box}
body{margin:0;padding:12px;font:14px/1.45 system-ui,-apple-system,"Segoe UI","PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1f2328;background:#fff}
main{max-width:1100px;margin:0 auto}
h1{font-size:1.5em;margin:.2em 0}
h2{font-size:1.25em;margin:1.4em 0 .4em;border-bottom:1px solid #d0d7de}
h3{font-size:1.05em;margin:1em 0 .3em;overflow-wrap:anywhere}
.verdict{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;color:#fff}
.verdict.pass{background:#1a7f37}.verdict.fail{background:#cf222e}
.meta{color:#59636e;overflow-wrap:anywhere}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.3em 0;min-width:100%}
th,td{border-bottom:1px solid #eaeef2;padding:4px 8px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;white-space:nowrap}
td.path{overflow-wrap:anywhere;min-width:10em}
.grew{color:#cf222e}.shrank{color:#1a7f37}
.gate-fail,.gate-error,.sev-error{color:#cf222e;font-weight:600}.gate-pass{color:#1a7f37}.sev-warning{color:#9a6700}
.budget{height:14px;background:#eaeef2;border-radius:7px;overflow:hidden;margin:2px 0 4px}
.budget span{display:block;height:100%}
.budget .ok{background:#2da44e}.budget .warn{background:#d4a72c}.budget .over{background:#cf222e}
svg.map{display:block;width:100%;height:auto;background:#f6f8fa;border:1px solid #d0d7de}
svg.map rect.file{stroke:#fff;stroke-width:.6}
svg.map rect.dir{fill:none;stroke:#57606a;stroke-width:1.2;pointer-events:none}
svg.map text{font-size:11px;fill:#1f2328;pointer-events:none}
svg.map a:hover rect.file,svg.map a:focus rect.file{stroke:#0969da;stroke-width:2}
.legend span{display:inline-block;width:.9em;height:.9em;vertical-align:-.1em;margin:0 .25em 0 .6em;border:1px solid #d0d7de}
.hint{color:#59636e}
a{color:#0969da}
</style>
</head>
<body>
<main>
<h1>{{.Title}} <span class="verdict {{.Verdict}}">{{.Verdict}}</span></h1>
{{if or .BaseRev .HeadRev}}<p class="meta">{{if .BaseRev}}base <code>{{.BaseRev}}</code> → {{end}}head <code>{{.HeadRev}}</code></p>{{end}}
{{if .Gates}}<div class="scroll"><table><thead><tr><th>gate</th><th>status</th><th>summary</th></tr></thead><tbody>
{{range .Gates}}<tr><td>{{.Name}}</td><td class="gate-{{.Status}}">{{.Status}}{{if .Informational}} (informational){{end}}</td><td>{{.Summary}}</td></tr>
{{end}}</tbody></table></div>{{end}}
{{range .Projects}}
<section class="project">
<h2>{{.Name}}{{with .Verdict}} <span class="verdict {{.}}">{{.}}</span>{{end}}</h2>
{{if .Error}}<p class="sev-error">The head could not be analysed: {{.Error}}</p>{{else}}
{{if .BaseError}}<p class="meta">No base: {{.BaseError}}</p>{{end}}
{{if .Gates}}<div class="scroll"><table><thead><tr><th>gate</th><th>status</th><th>summary</th></tr></thead><tbody>
{{range .Gates}}<tr><td>{{.Name}}</td><td class="gate-{{.Status}}">{{.Status}}{{if .Informational}} (informational){{end}}</td><td>{{.Summary}}</td></tr>
{{end}}</tbody></table></div>{{end}}

<h3>Sizes{{if .HasBase}} against the base{{end}}</h3>
<div class="scroll"><table class="diff"><thead><tr><th>package</th>{{if .HasBase}}<th>status</th><th class="n">base</th>{{end}}<th class="n">head</th>{{if .HasBase}}<th class="n">change</th><th class="n">%</th>{{end}}<th class="n">limit</th><th class="n">share</th></tr></thead><tbody>
{{range .Diffs}}<tr><td class="path">{{.Name}}</td>{{template "diffcells" .}}</tr>
{{end}}<tr><th>{{.Total.Name}}</th>{{template "diffcells" .Total}}</tr>
</tbody></table></div>

{{$p := .}}{{range .Packages}}
<h3>{{.Label}}</h3>
<p class="meta">{{.Size}}{{if .Percent}} of {{.Limit}} ({{.Percent}}){{else}} ({{.Limit}}){{end}} · {{.Kind}}</p>
{{if .Percent}}<div class="budget" role="meter" aria-label="{{.Name}} budget" aria-valuenow="{{.Bar}}" aria-valuemin="0" aria-valuemax="100"><span class="{{.Level}}" style="width:{{printf "%.1f" .Bar}}%"></span></div>{{end}}
{{.Map}}
{{end}}
<p class="legend meta">Areas: each file's {{.Basis}}; outlines: folders. {{if .HasBase}}Colour: <span style="background:#c62828"></span>grew <span style="background:#a5d6a7"></span>shrank <span style="background:#f0a040"></span>new <span style="background:#cfd8dc"></span>unchanged{{else}}Colour: <span style="background:#90caf9"></span>script <span style="background:#ce93d8"></span>style <span style="background:#80cbc4"></span>template <span style="background:#fff59d"></span>JSON <span style="background:#ffcc80"></span>image <span style="background:#cfd8dc"></span>other{{end}}</p>

<h3>Findings ({{len .Findings}})</h3>
{{if .Findings}}<div class="scroll"><table><thead><tr><th>rule</th>{{if .HasBase}}<th></th>{{end}}<th>where</th><th>finding</th></tr></thead><tbody>
{{range .Findings}}<tr><td class="sev-{{.Severity}}">{{.Rule}}</td>{{if $p.HasBase}}<td>{{.Status}}</td>{{end}}<td class="path">{{if .Link}}<a href="{{.Link}}">{{.Where}}</a>{{end}}</td><td>{{.Message}}{{with .Hint}}<br><span class="hint">{{.}}</span>{{end}}</td></tr>
{{end}}</tbody></table></div>{{else}}<p>None.</p>{{end}}

<h3>Largest files</h3>
<div class="scroll"><table><thead><tr><th>file</th><th>package</th><th class="n">size</th>{{if .HasBase}}<th class="n">change</th>{{end}}</tr></thead><tbody>
{{range .Largest}}<tr><td class="path"><a href="{{.Link}}">{{.Path}}</a></td><td>{{.Package}}</td><td class="n">{{.Size}}</td>{{if $p.HasBase}}<td class="n">{{.Delta}}</td>{{end}}</tr>
{{end}}</tbody></table></div>

<h3>What moving shared files would save</h3>
{{if .Savings}}<p>Up to <strong>{{.SavingsTotal}}</strong> (MP306 identical files in several packages, MP307 main-package files one subpackage uses).</p>
<div class="scroll"><table><thead><tr><th>rule</th><th>where</th><th>finding</th><th class="n">saves</th></tr></thead><tbody>
{{range .Savings}}<tr><td>{{.Rule}}</td><td class="path">{{if .Link}}<a href="{{.Link}}">{{.Where}}</a>{{end}}</td><td>{{.Message}}</td><td class="n">{{.Bytes}}</td></tr>
{{end}}</tbody></table></div>{{else}}<p>Nothing: no file is duplicated across packages (MP306) or kept in the main package for one subpackage (MP307).</p>{{end}}
{{end}}
</section>
{{end}}
<p class="meta">Written by mpgate. Hover a rectangle for its file and size; each links to its file.</p>
</main>
</body>
</html>
{{define "diffcells"}}{{if .HasBase}}<td>{{.Status}}</td><td class="n">{{.Base}}</td>{{end}}<td class="n">{{.Head}}</td>{{if .HasBase}}<td class="n{{if .Grew}} grew{{else if .Shrank}} shrank{{end}}">{{.Delta}}</td><td class="n">{{.Percent}}</td>{{end}}<td class="n">{{.Limit}}</td><td class="n">{{.Share}}</td>{{end}}
`))
