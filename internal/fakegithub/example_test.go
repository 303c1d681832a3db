package fakegithub_test

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/mpgate/mpgate/internal/fakegithub"
)

// A test points its client at f.BaseURL(), programs state and faults, and
// asserts f.Errors() is empty at the end.
func Example() {
	f, err := fakegithub.NewServer() // in a test: fakegithub.New(t)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	f.AddToken("ghp_x", "octocat")
	f.Fault("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", 1, fakegithub.ServerError)

	for range 2 {
		req, _ := http.NewRequest("POST", f.BaseURL()+"repos/o/r/issues/1/comments", strings.NewReader(`{"body":"hi"}`))
		req.Header.Set("Authorization", "token ghp_x")
		req.Header.Set("User-Agent", "example")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	fmt.Println(len(f.Comments("o/r", 1)), f.Count("issues/create-comment"), len(f.Errors()))
	// Output:
	// 502
	// 201
	// 1 2 0
}
