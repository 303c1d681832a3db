package main

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape GETs /metrics over HTTP and parses Prometheus' text format.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	req, err := http.NewRequest("GET", url+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/plain") // the text format, as a plain scraper asks
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics is not Prometheus' text format: %v", err)
	}
	return fams
}

// sample finds the metric of a family with exactly these labels; nil when
// there is none.
func sample(fams map[string]*dto.MetricFamily, name string, labels ...string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
	want := map[string]string{}
	for i := 0; i+1 < len(labels); i += 2 {
		want[labels[i]] = labels[i+1]
	}
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		if fmt.Sprint(got) == fmt.Sprint(want) {
			return m
		}
	}
	return nil
}

// histCount is a histogram's count (0 when absent), after checking that
// its buckets are cumulative and end at the count.
func histCount(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels ...string) uint64 {
	t.Helper()
	m := sample(fams, name, labels...)
	if m == nil {
		return 0
	}
	h := m.GetHistogram()
	if h == nil {
		t.Fatalf("%s%v is not a histogram", name, labels)
	}
	var prev uint64
	for _, b := range h.GetBucket() {
		if b.GetCumulativeCount() < prev {
			t.Errorf("%s%v: bucket le=%g count %d below the previous %d", name, labels, b.GetUpperBound(), b.GetCumulativeCount(), prev)
		}
		prev = b.GetCumulativeCount()
	}
	if prev > h.GetSampleCount() {
		t.Errorf("%s%v: buckets count %d, more than the histogram's %d", name, labels, prev, h.GetSampleCount())
	}
	if h.GetSampleCount() > 0 && h.GetSampleSum() <= 0 {
		t.Errorf("%s%v: %d observations summing to %g", name, labels, h.GetSampleCount(), h.GetSampleSum())
	}
	return h.GetSampleCount()
}

func counter(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	m := sample(fams, name, labels...)
	if m == nil {
		return -1
	}
	if m.GetCounter() != nil {
		return m.GetCounter().GetValue()
	}
	return m.GetGauge().GetValue()
}

// TestServeMetrics drives real deliveries through the server (a pull
// request whose project builds at the head and at the base, and a delivery
// with a bad signature), then scrapes /metrics over HTTP: the histograms
// count exactly what happened, and agree with the queue's counters.
func TestServeMetrics(t *testing.T) {
	s := newTestServer(t, serverOpts{sandbox: &passWrapper{}})
	dir, base, head := miniRepo(t, 0)
	s.fake.SetContent(srvRepo, "", ".mpgate.yml", []byte("projects:\n  - name: app\n    root: .\n    build: \"true\"\n"))
	setPull(s.fake, 5, base, head, srvRepo)
	body := prPayload(t, "opened", dir, 5, base, head, srvRepo, "alice")
	if code := s.deliver("pull_request", "m-1", body); code != http.StatusAccepted {
		t.Fatalf("delivery answered %d", code)
	}
	if code := s.deliverSigned("pull_request", "m-2", body, "not the secret"); code != http.StatusUnauthorized {
		t.Fatalf("badly signed delivery answered %d", code)
	}
	waitFor(t, "the check run to complete", func() bool { return len(completedRuns(s.fake, head)) == 1 })
	// The check run completes inside the job; the job's end is recorded
	// just after. Settled: every job run has its duration observed.
	var fams map[string]*dto.MetricFamily
	waitFor(t, "the jobs' durations", func() bool {
		fams = scrape(t, s.http.URL)
		runs := counter(fams, "mpgate_jobs_total", "outcome", "run")
		done := histCount(t, fams, "mpgate_job_duration_seconds", "kind", "mpgate.event") +
			histCount(t, fams, "mpgate_job_duration_seconds", "kind", "mpgate.evaluate")
		return runs >= 2 && float64(done) == runs
	})

	if run := completedRuns(s.fake, head)[0]; run.Conclusion != "success" {
		t.Fatalf("check run concluded %q, want success:\n%s", run.Conclusion, run.Summary)
	}
	checks := []struct {
		what   string
		got    float64
		want   float64
		atLeas bool
	}{
		{"webhook latency observations", float64(histCount(t, fams, "mpgate_webhook_duration_seconds", "forge", "github")), 2, false},
		{"accepted deliveries", counter(fams, "mpgate_deliveries_total", "forge", "github", "event", "pull_request", "status", "202"), 1, false},
		{"refused deliveries", counter(fams, "mpgate_deliveries_total", "forge", "github", "event", "pull_request", "status", "401"), 1, false},
		{"evaluations", float64(histCount(t, fams, "mpgate_evaluation_duration_seconds", "conclusion", "success")), 1, false},
		{"builds (head and base)", float64(histCount(t, fams, "mpgate_build_duration_seconds", "outcome", "ok")), 2, false},
		{"evaluation jobs started", float64(histCount(t, fams, "mpgate_queue_wait_seconds", "kind", "mpgate.evaluate")), 1, false},
		{"event jobs started", float64(histCount(t, fams, "mpgate_queue_wait_seconds", "kind", "mpgate.event")), 1, true},
		{"evaluation jobs run", float64(histCount(t, fams, "mpgate_job_duration_seconds", "kind", "mpgate.evaluate")), 1, false},
		{"GitHub API calls answered 201", counter(fams, "mpgate_github_api_calls_total", "status", "201"), 1, true},
		{"build info", counter(fams, "mpgate_build_info", "version", readBuild().Version, "commit", readBuild().Commit,
			"date", readBuild().Date, "goversion", runtime.Version()), 1, false},
	}
	for _, c := range checks {
		if c.got != c.want && !(c.atLeas && c.got >= c.want) {
			t.Errorf("%s: %g, want %g", c.what, c.got, c.want)
		}
	}
	// Every job that started has waited, and every one that ended ran.
	for _, kind := range []string{"mpgate.event", "mpgate.evaluate"} {
		if w, r := histCount(t, fams, "mpgate_queue_wait_seconds", "kind", kind), histCount(t, fams, "mpgate_job_duration_seconds", "kind", kind); w != r {
			t.Errorf("%s: %d waits observed, %d runs", kind, w, r)
		}
	}
	for _, name := range []string{"mpgate_queue_jobs", "go_goroutines", "go_gc_duration_seconds", "go_memstats_heap_alloc_bytes",
		"process_cpu_seconds_total", "go_sql_open_connections", "mpgate_github_rate_limit_remaining"} {
		if fams[name] == nil {
			t.Errorf("/metrics has no %s", name)
		}
	}
}
