// Package metrics is mpgate serve's /metrics: every metric mpgate exports,
// declared in one place on a Prometheus client registry, with the Go
// runtime and process collectors and the build information. The names are
// documented in docs/github-app.md#operations.
package metrics

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Histogram buckets, in seconds.
var (
	// webhookBuckets: a delivery is answered once it is durable (a
	// database commit), milliseconds normally.
	webhookBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	// waitBuckets: from instant to the hour a rate limit may snooze a job.
	waitBuckets = prometheus.ExponentialBuckets(0.05, 4, 10) // 0.05 s … 3.6 h
	// runBuckets: jobs, builds and evaluations, up to the 30 min job timeout.
	runBuckets = prometheus.ExponentialBuckets(0.1, 3, 10) // 0.1 s … 33 min
)

// Build is what mpgate_build_info reports.
type Build struct {
	Version, Commit, Date string
}

// Registry holds mpgate's metrics. Its methods are safe for concurrent use.
type Registry struct {
	reg *prometheus.Registry

	deliveries      *prometheus.CounterVec
	webhookDuration *prometheus.HistogramVec
	queueWait       *prometheus.HistogramVec
	jobDuration     *prometheus.HistogramVec
	buildDuration   *prometheus.HistogramVec
	evaluation      *prometheus.HistogramVec
	apiCalls        map[string]*prometheus.CounterVec // by forge

	rateLimitOnce sync.Once
	rateLimit     prometheus.Gauge
}

// New returns a registry with mpgate's metrics, mpgate_build_info, and the
// Go runtime (go_*) and process (process_*) collectors.
func New(b Build) *Registry {
	r := &Registry{reg: prometheus.NewRegistry()}
	r.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "mpgate_deliveries_total",
		Help: "Webhook deliveries by forge, event and HTTP status.",
	}, []string{"forge", "event", "status"})
	r.webhookDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "mpgate_webhook_duration_seconds",
		Help:    "Time to answer a webhook delivery (authenticated, parsed and durably queued), by forge.",
		Buckets: webhookBuckets,
	}, []string{"forge"})
	r.queueWait = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "mpgate_queue_wait_seconds",
		Help:    "Time a job waited past its scheduled time before a worker took it, by job kind.",
		Buckets: waitBuckets,
	}, []string{"kind"})
	r.jobDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "mpgate_job_duration_seconds",
		Help:    "Time a job ran (one attempt), by job kind.",
		Buckets: runBuckets,
	}, []string{"kind"})
	r.buildDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "mpgate_build_duration_seconds",
		Help:    "Time a project build took (install step included), by outcome: ok, failed, timed_out, cancelled, error.",
		Buckets: runBuckets,
	}, []string{"outcome"})
	r.evaluation = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "mpgate_evaluation_duration_seconds",
		Help:    "Time a pull/merge request evaluation took (builds included), by conclusion.",
		Buckets: runBuckets,
	}, []string{"conclusion"})
	r.apiCalls = map[string]*prometheus.CounterVec{}
	for _, forge := range []string{"github", "gitlab"} {
		r.apiCalls[forge] = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mpgate_" + forge + "_api_calls_total",
			Help: "API requests to " + forge + " (retries included) by HTTP status, \"error\" when none came.",
		}, []string{"status"})
		r.reg.MustRegister(r.apiCalls[forge])
	}
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "mpgate_build_info",
		Help:        "Always 1: the version, commit and build date of this mpgate, and its Go version.",
		ConstLabels: prometheus.Labels{"version": b.Version, "commit": b.Commit, "date": b.Date, "goversion": runtime.Version()},
	})
	info.Set(1)
	r.reg.MustRegister(r.deliveries, r.webhookDuration, r.queueWait, r.jobDuration, r.buildDuration, r.evaluation, info,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

// Handler serves the registry in Prometheus' exposition formats.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{Registry: r.reg})
}

// Register adds collectors (the database's connection pool).
func (r *Registry) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := r.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Delivery records a webhook delivery: its forge ("github", "gitlab"), its
// event header, the status answered and how long answering took.
func (r *Registry) Delivery(forge, event string, status int, d time.Duration) {
	if event == "" || len(event) > 40 {
		event = "unknown"
	}
	r.deliveries.WithLabelValues(forge, event, strconv.Itoa(status)).Inc()
	r.webhookDuration.WithLabelValues(forge).Observe(d.Seconds())
}

// JobStarted records a job's queue wait (queue.Config.JobStarted).
func (r *Registry) JobStarted(kind string, wait time.Duration) {
	r.queueWait.WithLabelValues(kind).Observe(wait.Seconds())
}

// JobDone records a job's run time (queue.Config.JobDone).
func (r *Registry) JobDone(kind string, run time.Duration) {
	r.jobDuration.WithLabelValues(kind).Observe(run.Seconds())
}

// Build records a project build (gate.Spec.ObserveBuild).
func (r *Registry) Build(d time.Duration, outcome string) {
	r.buildDuration.WithLabelValues(outcome).Observe(d.Seconds())
}

// Evaluation records an evaluation (worker.Config.Observe).
func (r *Registry) Evaluation(d time.Duration, conclusion string) {
	r.evaluation.WithLabelValues(conclusion).Observe(d.Seconds())
}

// APICall counts a request to a forge's API by status ("201", "error").
// Forges other than github and gitlab are not counted.
func (r *Registry) APICall(forge, status string) {
	if c := r.apiCalls[forge]; c != nil {
		c.WithLabelValues(status).Inc()
	}
}

// GitHubRateLimit sets mpgate_github_rate_limit_remaining, which appears
// once GitHub has reported a rate limit.
func (r *Registry) GitHubRateLimit(remaining int64) {
	r.rateLimitOnce.Do(func() {
		r.rateLimit = prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "mpgate_github_rate_limit_remaining",
			Help: "Requests left in the rate-limit window GitHub reported last.",
		})
		r.reg.MustRegister(r.rateLimit)
	})
	r.rateLimit.Set(float64(remaining))
}

// QueueDepth is the number of jobs of one kind in one state.
type QueueDepth struct {
	Kind, State string
	Count       int64
}

// QueueStats is what the queue reports at each scrape.
type QueueStats struct {
	Depth []QueueDepth
	// Outcomes counts job runs since start by outcome (run, succeeded,
	// failed, snoozed, superseded).
	Outcomes map[string]int64
}

// CollectQueue reports the queue's depth and outcome counts, read by stats
// at every scrape (a failing read reports nothing that scrape).
func (r *Registry) CollectQueue(stats func(ctx context.Context) (QueueStats, error)) {
	r.reg.MustRegister(&queueCollector{stats: stats})
}

var (
	queueJobsDesc = prometheus.NewDesc("mpgate_queue_jobs", "Jobs in the queue's database by kind and state.", []string{"kind", "state"}, nil)
	jobsDesc      = prometheus.NewDesc("mpgate_jobs_total", "Job runs since start, by outcome.", []string{"outcome"}, nil)
)

type queueCollector struct {
	stats func(ctx context.Context) (QueueStats, error)
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueJobsDesc
	ch <- jobsDesc
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	st, err := c.stats(ctx)
	if err != nil {
		return // the database is down: /readyz says so, /metrics still answers
	}
	for _, d := range st.Depth {
		ch <- prometheus.MustNewConstMetric(queueJobsDesc, prometheus.GaugeValue, float64(d.Count), d.Kind, d.State)
	}
	for outcome, n := range st.Outcomes {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.CounterValue, float64(n), outcome)
	}
}
