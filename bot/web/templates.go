package web

import (
	"fmt"
	"html/template"
	"time"

	"github.com/mpgate/mpgate/bot/health"
)

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"bytes":    health.Bytes,
	"duration": health.Duration,
	"percent":  func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"used":     func(f float64) string { return fmt.Sprintf("%.0f%%", f) },
	"short": func(sha string) string {
		if len(sha) > 8 {
			return sha[:8]
		}
		return sha
	},
	"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"over": func(p health.Package) bool { return p.Limit > 0 && p.UsedPercent > 100 },
	"bar": func(p health.Package) string {
		w := p.UsedPercent
		if w > 100 {
			w = 100
		}
		return fmt.Sprintf("width:%.1f%%", w)
	},
}).Parse(`
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{{.}} · mpgate</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1f2328}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #d0d7de;white-space:nowrap}
td.n{text-align:right}
svg.chart{width:100%;height:auto;max-width:640px;display:block}
svg .axis{stroke:#8c959f}svg .tick{font-size:11px;fill:#57606a}
svg .limit{stroke:#cf222e;stroke-dasharray:6 4}
svg .series{stroke-width:2}svg .bytes{stroke:#0969da;fill:#0969da}svg .upload{stroke:#8250df;fill:#8250df}
svg .coverage{stroke:#1a7f37;fill:#1a7f37}
.success{color:#1a7f37}.failure,.timed_out{color:#cf222e}
.meter{background:#eaeef2;height:.6rem;min-width:6rem;border-radius:.3rem}.meter span{display:block;height:100%;background:#0969da;border-radius:.3rem}
.meter span.over{background:#cf222e}
.legend span{margin-right:1rem}.legend .bytes{color:#0969da}.legend .upload{color:#8250df}
div.who{margin:1em 0}form.signout{display:inline}form.signout button{font:inherit;padding:0 .4rem}
</style></head><body>{{end}}

{{define "org"}}{{template "head" "Engineering health"}}
<h1>Engineering health</h1>
<div class="who">{{.Viewer.Login}} <form class="signout" method="post" action="/pages/signout"><button type="submit">Sign out</button></form> · {{when .Report.Since}} to {{when .Report.Until}} · only the repositories you can read</div>
{{if not .Report.Repositories}}<p>No runs were recorded in this period.</p>{{else}}
<div class="scroll"><table id="repos">
<tr><th>repository</th><th>runs</th><th>passed</th><th>failed</th><th>build failures</th><th>time to green (median)</th><th>still failing</th></tr>
{{range .Report.Repositories}}<tr><td><a href="{{index $.Links .Key}}">{{.Forge}}:{{.FullName}}</a></td>
<td class="n">{{.Runs}}</td><td class="n">{{.Passed}}</td><td class="n">{{.Failed}}</td><td class="n">{{.BuildFailures}}</td>
<td class="n">{{if .TimeToGreen.Count}}{{duration .TimeToGreen.MedianSeconds}}{{else}}–{{end}}</td><td class="n">{{.TimeToGreen.Open}}</td></tr>
{{end}}</table></div>
{{if .Report.Total.Gates}}<h2>Gates</h2><div class="scroll"><table id="gates"><tr><th>gate</th><th>passed</th><th>failed</th><th>pass rate</th></tr>
{{range .Report.Total.Gates}}<tr><td>{{.Name}}</td><td class="n">{{.Passed}}</td><td class="n">{{.Failed}}</td><td class="n">{{percent .PassRate}}</td></tr>{{end}}
</table></div>{{end}}
<h2>Packages against their limits</h2>
{{range .Report.Repositories}}{{if .Packages}}<h3>{{.FullName}}</h3><div class="scroll"><table class="packages">
<tr><th>project</th><th>package</th><th>size</th><th>upload size</th><th>limit</th><th>used</th></tr>
{{range .Packages}}<tr><td>{{.Project}}</td><td>{{.Name}}</td><td class="n">{{bytes .Bytes}}</td><td class="n">{{bytes .UploadBytes}}</td>
<td class="n">{{if .Limit}}{{bytes .Limit}}{{else}}–{{end}}</td>
<td>{{if .Limit}}<div class="meter" title="{{used .UsedPercent}}"><span class="{{if over .}}over{{end}}" style="{{bar .}}"></span></div>{{used .UsedPercent}}{{end}}</td></tr>{{end}}
</table></div>{{end}}{{end}}
{{end}}
</body></html>{{end}}

{{define "repo"}}{{template "head" .Repo.FullName}}
<h1>{{.Repo.FullName}}</h1>
<div class="who"><a href="/pages/">all repositories</a> · {{.Viewer.Login}} <form class="signout" method="post" action="/pages/signout"><button type="submit">Sign out</button></form></div>
<h2>Package sizes on the default branch</h2>
<p class="legend"><span class="bytes">● size</span><span class="upload">● upload size</span><span class="failure">- - limit</span></p>
{{range .Charts}}<h3>{{.Title}}</h3>{{.SVG}}{{else}}<p>No push to the default branch was measured since {{when .Since}}.</p>{{end}}
<h2>Coverage</h2>
{{with .Coverage}}{{.SVG}}{{else}}<p>No run read a coverage report since {{when .Since}}.</p>{{end}}
<h2>Latest runs</h2>
{{if .Runs}}<div class="scroll"><table id="runs"><tr><th>finished</th><th>commit</th><th>request</th><th>conclusion</th><th>gates</th></tr>
{{range .Runs}}<tr><td>{{when .FinishedAt}}</td><td><code>{{short .SHA}}</code></td><td>{{if .PR}}{{if eq $.Repo.Forge "gitlab"}}!{{else}}#{{end}}{{.PR}}{{else}}default branch{{end}}</td>
<td class="{{.Conclusion}}">{{.Conclusion}}{{if .BuildFailed}} (build failed){{end}}</td>
<td>{{range .Gates}}{{if .Project}}{{.Project}}: {{end}}{{.Name}} {{.Status}}{{if .Informational}} (informational){{end}}<br>{{end}}</td></tr>{{end}}
</table></div>{{else}}<p>No runs yet.</p>{{end}}
</body></html>{{end}}
`))
