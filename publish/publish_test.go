package publish

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/gate"
	"github.com/mpgate/mpgate/checks"
	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/config"
	"github.com/mpgate/mpgate/internal/posttest"
)

// recorder is a Target that keeps what it is asked to write, failing the
// calls named in fail.
type recorder struct {
	fail  map[string]error
	calls []string
	out   bot.CheckOutput
	body  string
}

func (r *recorder) call(op string) error {
	r.calls = append(r.calls, op)
	return r.fail[op]
}

func (r *recorder) StartCheck(_ context.Context, name, _ string) error {
	return r.call("start " + name)
}

func (r *recorder) CompleteCheck(_ context.Context, name, _, conclusion string, out bot.CheckOutput) error {
	r.out = out
	return r.call("complete " + name + " " + conclusion)
}

func (r *recorder) CheckURL() string { return "https://forge.example/runs/1" }

func (r *recorder) UpsertComment(_ context.Context, pr int, key, body string) error {
	r.body = body
	return r.call("comment " + key)
}

func (r *recorder) UpdateComment(_ context.Context, pr int, key, body string) error {
	r.body = body
	return r.call("update comment " + key)
}

var (
	resultOnce sync.Once
	result     *compare.Result
	resultErr  error
)

// failingResult is the gate's result on a repository whose request adds
// two missing pages (computed once: the real engine on a real repository).
func failingResult(t *testing.T) *compare.Result {
	t.Helper()
	resultOnce.Do(func() {
		dir, base, _ := posttest.MiniRepo(t, 2)
		cfg, err := config.LoadDir(dir)
		if err != nil {
			resultErr = err
			return
		}
		result, resultErr = gate.Run(context.Background(), gate.Spec{RepoDir: dir, BaseRef: base, Config: cfg})
	})
	if resultErr != nil {
		t.Fatal(resultErr)
	}
	return result
}

func TestPublish(t *testing.T) {
	forbidden := Mark(errors.New("403"), ErrForbidden)
	unauthorized := Mark(errors.New("401"), ErrUnauthorized)
	base := Options{PR: 2, Comment: true, DetailsURL: "https://ci.example/job/1", ChecksURL: "https://forge.example/pull/2/checks"}
	tests := []struct {
		name   string
		opt    func(o *Options)
		fail   map[string]error
		calls  string
		errIs  error // nil: no error
		errSay string
		want   Outcome // the fields compared: CheckWritten, CheckURL, Forbidden
		link   string  // in the comment
	}{
		{"written", nil, nil, "start mpgate|complete mpgate failure|comment ", nil, "",
			Outcome{CheckWritten: true, CheckURL: "https://forge.example/runs/1"}, "https://forge.example/pull/2/checks"},
		{"project", func(o *Options) { o.Project = "shop" }, nil, "start mpgate (shop)|complete mpgate (shop) failure|comment shop", nil, "",
			Outcome{CheckWritten: true, CheckURL: "https://forge.example/runs/1"}, "https://forge.example/pull/2/checks"},
		{"push: no comment", func(o *Options) { o.PR, o.ChecksURL = 0, "" }, nil, "start mpgate|complete mpgate failure", nil, "",
			Outcome{CheckWritten: true, CheckURL: "https://forge.example/runs/1"}, "https://forge.example/runs/1"},
		{"comment off", func(o *Options) { o.Comment = false }, nil, "start mpgate|complete mpgate failure", nil, "",
			Outcome{CheckWritten: true, CheckURL: "https://forge.example/runs/1"}, "https://forge.example/pull/2/checks"},
		{"forbidden from the start", nil, map[string]error{"start mpgate": forbidden}, "start mpgate", nil, "",
			Outcome{Forbidden: true}, "https://ci.example/job/1"},
		{"forbidden, an error for report post", func(o *Options) { o.FailOnForbidden, o.ForbiddenHint = true, "give it checks: write" },
			map[string]error{"start mpgate": forbidden}, "start mpgate", ErrForbidden, "give it checks: write",
			Outcome{Forbidden: true}, "https://ci.example/job/1"},
		{"forbidden comment", nil, map[string]error{"comment ": forbidden}, "start mpgate|complete mpgate failure|comment ", nil, "",
			Outcome{CheckWritten: true, CheckURL: "https://forge.example/runs/1", Forbidden: true}, "https://forge.example/pull/2/checks"},
		{"token refused: no comment", nil, map[string]error{"complete mpgate failure": unauthorized}, "start mpgate|complete mpgate failure",
			ErrUnauthorized, "401", Outcome{}, "https://ci.example/job/1"},
		{"check failed: the comment all the same", nil, map[string]error{"complete mpgate failure": errors.New("502")},
			"start mpgate|complete mpgate failure|comment ", nil, "502", Outcome{}, "https://ci.example/job/1"},
		{"escaped", func(o *Options) { o.EscapeComment = strings.ToUpper }, nil, "start mpgate|complete mpgate failure|comment ", nil, "",
			Outcome{CheckWritten: true, CheckURL: "https://forge.example/runs/1"}, "HTTPS://FORGE.EXAMPLE/PULL/2/CHECKS"},
	}
	res := failingResult(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := base
			if tt.opt != nil {
				tt.opt(&opt)
			}
			r := &recorder{fail: tt.fail}
			p := New(r, opt)
			ctx := context.Background()
			if err := p.Start(ctx); err != nil {
				t.Fatalf("Start: %v", err)
			}
			o, err := p.Publish(ctx, res)
			switch {
			case tt.errIs != nil && !errors.Is(err, tt.errIs):
				t.Errorf("error %v, want %v", err, tt.errIs)
			case tt.errSay != "" && (err == nil || !strings.Contains(err.Error(), tt.errSay)):
				t.Errorf("error %v, want one saying %q", err, tt.errSay)
			case tt.errIs == nil && tt.errSay == "" && err != nil:
				t.Errorf("error %v", err)
			}
			if got := strings.Join(r.calls, "|"); got != tt.calls {
				t.Errorf("calls %s\nwant  %s", got, tt.calls)
			}
			if o.CheckWritten != tt.want.CheckWritten || o.CheckURL != tt.want.CheckURL || o.Forbidden != tt.want.Forbidden {
				t.Errorf("outcome written %v url %q forbidden %v, want %v %q %v", o.CheckWritten, o.CheckURL, o.Forbidden,
					tt.want.CheckWritten, tt.want.CheckURL, tt.want.Forbidden)
			}
			if o.Conclusion != bot.ConclusionFailure || len(o.Annotations) != 2 || !strings.Contains(o.Comment, tt.link) {
				t.Errorf("outcome %s, %d annotations, comment without %q:\n%s", o.Conclusion, len(o.Annotations), tt.link, o.Comment)
			}
			if r.body != "" && r.body != o.Comment {
				t.Error("the comment posted is not Outcome.Comment")
			}
		})
	}
}

func TestAbort(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	timedOut, stop := context.WithCancelCause(context.Background())
	stop(context.DeadlineExceeded)
	runErr := errors.New("no project \"nope\" in .mpgate.yml")
	advise := func(error) string { return "Comment `/rebuild` to try again." }
	tests := []struct {
		name      string
		ctx       context.Context
		titleOnly bool
		advice    func(error) string
		startErr  error
		calls     string
		title     string
	}{
		{"could not run", context.Background(), false, nil, nil, "start mpgate|complete mpgate failure", "mpgate could not run"},
		{"title only", context.Background(), true, nil, nil, "start mpgate|complete mpgate failure", `mpgate could not run: no project "nope" in .mpgate.yml`},
		{"interrupted", canceled, false, nil, nil, "start mpgate|complete mpgate cancelled", "mpgate was interrupted"},
		{"timed out", timedOut, false, nil, nil, "start mpgate|complete mpgate timed_out", "mpgate ran out of time"},
		{"advice", context.Background(), false, advise, nil, "start mpgate|complete mpgate failure", "mpgate could not run"},
		{"never started", context.Background(), false, nil, errors.New("502"), "start mpgate", ""},
		{"forbidden", context.Background(), false, nil, Mark(errors.New("403"), ErrForbidden), "start mpgate", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{fail: map[string]error{"start mpgate": tt.startErr}}
			p := New(r, Options{TitleOnly: tt.titleOnly, AbortAdvice: tt.advice})
			_ = p.Start(context.Background())
			if err := p.Abort(tt.ctx, runErr); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(r.calls, "|"); got != tt.calls {
				t.Errorf("calls %s, want %s", got, tt.calls)
			}
			if r.out.Title != tt.title || (tt.title != "" && !strings.Contains(r.out.Summary, "nope")) {
				t.Errorf("output %+v", r.out)
			}
			if advised := strings.HasSuffix(r.out.Summary, "\n\nComment `/rebuild` to try again."); advised != (tt.advice != nil) {
				t.Errorf("summary %q, want advice %v", r.out.Summary, tt.advice != nil)
			}
		})
	}
}

// TestPublishJob: every job output runs whatever fails before it, After
// sees the forge's outcome and error, and the failures come back joined
// under the forge's name.
func TestPublishJob(t *testing.T) {
	res := failingResult(t)
	comment := errors.New("500")
	rec := &recorder{fail: map[string]error{"comment ": comment}}
	p := New(rec, Options{PR: 2, Comment: true})
	var order []string
	var seen Outcome
	var seenErr error
	err := p.PublishJob(context.Background(), res, "Forge", JobOutputs{
		Before: []func(*compare.Result) error{
			func(*compare.Result) error { order = append(order, "artifact"); return errors.New("disk full") },
		},
		After: []func(*compare.Result, Outcome, error) error{
			func(_ *compare.Result, o Outcome, err error) error {
				order = append(order, "summary")
				seen, seenErr = o, err
				return nil
			},
			func(*compare.Result, Outcome, error) error {
				order = append(order, "outputs")
				return errors.New("no outputs")
			},
		},
	})
	if got := strings.Join(order, "|"); got != "artifact|summary|outputs" {
		t.Errorf("order %q", got)
	}
	if !seen.CheckWritten || !errors.Is(seenErr, comment) {
		t.Errorf("After saw outcome %+v, error %v", seen, seenErr)
	}
	if err == nil || !strings.HasPrefix(err.Error(), "posting to Forge: ") || !errors.Is(err, comment) ||
		!strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "no outputs") {
		t.Errorf("err = %v", err)
	}
	if err := New(&recorder{}, Options{}).PublishJob(context.Background(), res, "Forge", JobOutputs{}); err != nil {
		t.Errorf("nothing failing: %v", err)
	}
}

// gatedResult is a passing result with gates: the project's (size) and
// the request's (changelog).
func gatedResult(project, request []checks.Gate) *compare.Result {
	res := compare.NewResult()
	if project != nil {
		res.Projects = append(res.Projects, &compare.Comparison{Project: "app", Gates: project})
	}
	res.Gates = request
	res.Finish()
	return res
}

// TestServerOptions: the server's options add the "Approve size" button
// to a check a size gate failed, the changelog gate's own check, and the
// comment's footer; the caller's result is left as it was.
func TestServerOptions(t *testing.T) {
	sizeFail := checks.Gate{Name: "size", Rule: "GATE-SIZE", Status: checks.GateFail, Summary: "over"}
	changelog := func(status string, informational bool) checks.Gate {
		return checks.Gate{Name: "changelog", Rule: checks.GateChangelog, Status: status, Summary: "shop has no entry", Informational: informational}
	}
	tests := []struct {
		name    string
		opt     Options
		res     *compare.Result
		calls   string
		actions int
	}{
		{"size failed: the button", Options{ApproveSizeAction: true}, gatedResult([]checks.Gate{sizeFail}, nil), "complete mpgate failure", 1},
		{"size failed, no option: no button", Options{}, gatedResult([]checks.Gate{sizeFail}, nil), "complete mpgate failure", 0},
		{"another failure: no button", Options{ApproveSizeAction: true}, failingResult(t), "complete mpgate failure", 0},
		{"changelog split", Options{SplitChangelog: true}, gatedResult(nil, []checks.Gate{changelog(checks.GateFail, false)}),
			"complete mpgate success|complete mpgate / changelog failure", 0},
		{"changelog informational", Options{SplitChangelog: true}, gatedResult(nil, []checks.Gate{changelog(checks.GateFail, true)}),
			"complete mpgate success|complete mpgate / changelog neutral", 0},
		{"changelog skipped: no check", Options{SplitChangelog: true}, gatedResult(nil, []checks.Gate{changelog(checks.GateSkip, false)}),
			"complete mpgate success", 0},
		{"changelog kept in the main check", Options{}, gatedResult(nil, []checks.Gate{changelog(checks.GateFail, false)}),
			"complete mpgate failure", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{}
			gates, verdict := len(tt.res.Gates), tt.res.Verdict
			if _, err := New(r, tt.opt).Publish(context.Background(), tt.res); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(r.calls, "|"); got != tt.calls {
				t.Errorf("calls %s, want %s", got, tt.calls)
			}
			if !strings.Contains(tt.calls, "changelog") && len(r.out.Actions) != tt.actions {
				t.Errorf("%d buttons, want %d", len(r.out.Actions), tt.actions)
			}
			if len(tt.res.Gates) != gates || tt.res.Verdict != verdict {
				t.Errorf("the result was changed: %d gates, verdict %s", len(tt.res.Gates), tt.res.Verdict)
			}
		})
	}
}

func TestFooter(t *testing.T) {
	r := &recorder{}
	o, err := New(r, Options{PR: 2, Comment: true, Footer: "[trends](https://mpgate.example/r)"}).Publish(context.Background(), failingResult(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(o.Comment, "\n[trends](https://mpgate.example/r)\n") || r.body != o.Comment {
		t.Errorf("comment without the footer at its end:\n%s", o.Comment)
	}
}
