package fakegithub

import (
	"net/http"
	"sort"
	"strconv"
)

// The operation of testdata/github-rest-checks.openapi.json: listing the
// check runs of a commit, which the bot does to find its own check run
// again before creating one (a retry after a crash or a 502).
var checkHandlers = map[string]func(*call){
	"checks/list-for-ref": handleCheckListForRef,
}

// handleCheckListForRef answers GET /repos/{owner}/{repo}/commits/{ref}/check-runs:
// the check runs whose head is ref (a commit SHA; the fake resolves no
// branch names), filtered by check_name and status, newest first. filter
// "latest" (GitHub's default) keeps the newest run of each name; "all"
// keeps them all. Paginated by per_page and page, with total_count (no
// Link header).
func handleCheckListForRef(c *call) {
	q := c.r.URL.Query()
	ref, name, status := c.params["ref"], q.Get("check_name"), q.Get("status")
	var runs []*CheckRun
	for _, cr := range c.f.checkRuns {
		if cr.Repo != c.repo || cr.HeadSHA != ref || (name != "" && cr.Name != name) || (status != "" && cr.Status != status) {
			continue
		}
		runs = append(runs, cr)
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].ID > runs[j].ID })
	if q.Get("filter") != "all" {
		seen := map[string]bool{}
		kept := runs[:0]
		for _, cr := range runs {
			if !seen[cr.Name] {
				seen[cr.Name] = true
				kept = append(kept, cr)
			}
		}
		runs = kept
	}
	per := 30
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		per = min(v, 100)
	}
	page := 1
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		page = v
	}
	lo := len(runs)
	if page-1 <= len(runs)/per {
		lo = min((page-1)*per, len(runs))
	}
	hi := min(lo+per, len(runs))
	out := make([]any, 0, hi-lo)
	for _, cr := range runs[lo:hi] {
		out = append(out, c.checkJSON(cr))
	}
	c.reply(http.StatusOK, map[string]any{"total_count": len(runs), "check_runs": out})
}
