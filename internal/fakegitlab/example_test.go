package fakegitlab_test

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/mpgate/mpgate/internal/fakegitlab"
)

// A CI job token cannot post a merge-request note: GitLab ignores the
// JOB-TOKEN header on that route and answers 401, which is GitLab's
// behaviour and not a client error.
func Example() {
	f := fakegitlab.NewServer()
	defer f.Close()
	f.AddUser(1, "project_42_bot", true)
	f.AddToken("job-token", fakegitlab.Job, 1)
	f.AddProject(42, "acme/shop")
	f.SetMergeRequest(42, fakegitlab.MergeRequest{IID: 5, SourceBranch: "feature", TargetBranch: "main"})

	req, err := http.NewRequest("POST", f.BaseURL()+"/projects/42/merge_requests/5/notes", strings.NewReader(`{"body":"hi"}`))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("JOB-TOKEN", "job-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, len(f.Errors()), f.Requests()[0].Route)
	// Output: 401 0 POST /projects/:id/merge_requests/:iid/notes
}
