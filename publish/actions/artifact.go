package actions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/render"
	"github.com/mpgate/mpgate/publish"
)

// Artifact is the JSON result check --post writes for `mpgate report
// post`: the result contract (mpgate.result/v1) with where it belongs.
type Artifact struct {
	compare.Result
	GitHub *ArtifactGitHub `json:"github,omitempty"`
}

// ArtifactGitHub says which pull request and commit a result is about.
type ArtifactGitHub struct {
	Repository  string `json:"repository"`
	PullRequest int    `json:"pullRequest,omitempty"`
	HeadSHA     string `json:"headSha"`
	BaseSHA     string `json:"baseSha,omitempty"`
	Event       string `json:"event,omitempty"`
	RunID       string `json:"runId,omitempty"`
	// Project is the --project the result was limited to (the sticky
	// comment's key and the check run's name).
	Project string `json:"project,omitempty"`
	// Comment is .mpgate.yml's comment section at the head, for report
	// post (which has no checkout to read it from).
	Comment *CommentPolicy `json:"comment,omitempty"`
}

// CommentPolicy is .mpgate.yml's comment section (publish.Options).
type CommentPolicy struct {
	RequireChanges bool  `json:"requireChanges,omitempty"`
	MinChange      int64 `json:"minChange,omitempty"`
}

// WriteArtifact writes res with where it belongs to path.
func WriteArtifact(path string, res *compare.Result, where ArtifactGitHub) error {
	var buf bytes.Buffer
	if err := render.ResultJSON(&buf, res); err != nil {
		return err
	}
	var a Artifact
	if err := json.Unmarshal(buf.Bytes(), &a.Result); err != nil {
		return fmt.Errorf("re-reading the result: %w", err)
	}
	a.GitHub = &where
	data, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return publish.WriteAtomic(path, func(w io.Writer) error {
		_, err := w.Write(append(data, '\n'))
		return err
	})
}

// ArtifactResult is the result of a file a pull request's workflow wrote:
// projects that are not there are dropped and the verdicts are computed
// again from the gates and findings, not taken from the file.
func ArtifactResult(a *Artifact) *compare.Result {
	res := a.Result
	projects := make([]*compare.Comparison, 0, len(res.Projects))
	for _, c := range res.Projects {
		if c != nil {
			projects = append(projects, c)
		}
	}
	res.Projects = projects
	res.Finish()
	return &res
}
