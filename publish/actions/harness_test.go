package actions

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mpgate/mpgate/bot/gate"
	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/config"
)

// What a run of check --post ends with, as mpgate's exit codes.
const (
	exitPass  = 0
	exitFail  = 1
	exitUsage = 2
)

// result is one check --post run.
type result struct {
	code           int
	err            error
	stdout, stderr string
	res            *compare.Result
}

// clientOptions are added to the adapter's GitHub client (fastRetries).
var clientOptions []github.Option

// fastRetries shortens the adapter's backoff for the test; extra options
// are added.
func fastRetries(t *testing.T, extra ...github.Option) {
	t.Helper()
	old := clientOptions
	clientOptions = append([]github.Option{github.WithRetries(4, time.Millisecond)}, extra...)
	t.Cleanup(func() { clientOptions = old })
}

// post runs check --post as cmd/mpgate wires it — Prepare, Start, the gate
// on the repository at dir, Publish — with the runner's variables env.
// tokenFile, if given, is --token-file.
func post(t *testing.T, env map[string]string, dir string, opt CheckOptions, tokenFile ...string) result {
	t.Helper()
	ctx := context.Background()
	var stdout, stderr bytes.Buffer
	fail := func(err error) result {
		stderr.WriteString("mpgate: " + err.Error() + "\n")
		return result{code: exitUsage, err: err, stdout: stdout.String(), stderr: stderr.String()}
	}
	cfg := Config{Getenv: func(k string) string { return env[k] }, TokenFile: strings.Join(tokenFile, ""), Stdout: &stdout, Stderr: &stderr, UserAgent: "mpgate-test", ClientOptions: clientOptions}
	opt.Top = dir
	p, err := Prepare(ctx, cfg, opt)
	if err != nil {
		return fail(err)
	}
	c, err := config.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	p.Start(ctx)
	spec := gate.Spec{RepoDir: dir, BaseRef: p.Base(), Config: c}
	if opt.Project != "" {
		spec.Projects = []string{opt.Project}
	}
	if r := p.Request(); r != nil {
		spec.Title, spec.Body, spec.Labels = r.Title, r.Body, r.Labels
	}
	res, err := gate.Run(ctx, spec)
	if err != nil {
		p.Abort(ctx, err)
		return fail(err)
	}
	if err := p.Publish(ctx, res); err != nil {
		r := fail(err)
		r.res = res
		return r
	}
	code := exitPass
	if res.Verdict == checks.VerdictFail {
		code = exitFail
	}
	return result{code: code, stdout: stdout.String(), stderr: stderr.String(), res: res}
}
