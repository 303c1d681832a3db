// Package metrics writes Prometheus' text exposition format (version 0.0.4)
// by hand: a few counters and gauges with labels, enough for mpgate serve's
// /metrics without a client library.
package metrics

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// ContentType is the text format's media type.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Type is a metric family's type.
type Type string

// Types.
const (
	Counter Type = "counter"
	Gauge   Type = "gauge"
)

// Sample is one value of a family, with its label pairs (name, value, …).
type Sample struct {
	Labels []string
	Value  float64
}

// Family is a metric family: a name, help, type and samples.
type Family struct {
	Name, Help string
	Type       Type
	Samples    []Sample
}

// Registry holds counters the program updates and collectors read at
// scrape time. It is safe for concurrent use.
type Registry struct {
	mu         sync.Mutex
	counters   map[string]*counterVec
	collectors []func() []Family
}

type counterVec struct {
	help   string
	values map[string]float64 // key: labels joined by \x00
	labels map[string][]string
}

// New returns an empty registry.
func New() *Registry { return &Registry{counters: map[string]*counterVec{}} }

// Add adds v (≥ 0) to counter name with the label pairs. help is kept from
// the first call.
func (r *Registry) Add(name, help string, v float64, labels ...string) {
	if v < 0 || math.IsNaN(v) || len(labels)%2 != 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.counters[name]
	if c == nil {
		c = &counterVec{help: help, values: map[string]float64{}, labels: map[string][]string{}}
		r.counters[name] = c
	}
	key := strings.Join(labels, "\x00")
	c.values[key] += v
	c.labels[key] = append([]string(nil), labels...)
}

// Collect registers a function called at every scrape for families whose
// values live elsewhere (queue depth).
func (r *Registry) Collect(f func() []Family) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.collectors = append(r.collectors, f)
}

// Families returns every family, sorted by name, samples sorted by labels.
func (r *Registry) Families() []Family {
	r.mu.Lock()
	var out []Family
	for name, c := range r.counters {
		f := Family{Name: name, Help: c.help, Type: Counter}
		for k, v := range c.values {
			f.Samples = append(f.Samples, Sample{Labels: c.labels[k], Value: v})
		}
		out = append(out, f)
	}
	collectors := append([]func() []Family(nil), r.collectors...)
	r.mu.Unlock()
	for _, c := range collectors {
		out = append(out, c()...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	for _, f := range out {
		sort.SliceStable(f.Samples, func(i, j int) bool {
			return strings.Join(f.Samples[i].Labels, "\x00") < strings.Join(f.Samples[j].Labels, "\x00")
		})
	}
	return out
}

// Write writes families in the text format. Names and label names that are
// not valid Prometheus names are skipped (never written broken).
func Write(w io.Writer, fams []Family) error {
	var b strings.Builder
	for _, f := range fams {
		if !validName(f.Name) {
			continue
		}
		fmt.Fprintf(&b, "# HELP %s %s\n", f.Name, escapeHelp(f.Help))
		fmt.Fprintf(&b, "# TYPE %s %s\n", f.Name, f.Type)
		for _, s := range f.Samples {
			labels, ok := formatLabels(s.Labels)
			if !ok {
				continue
			}
			fmt.Fprintf(&b, "%s%s %s\n", f.Name, labels, formatValue(s.Value))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Handler serves the registry.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", ContentType)
		_ = Write(w, r.Families())
	})
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return false
	}
	return true
}

func formatLabels(pairs []string) (string, bool) {
	if len(pairs) == 0 {
		return "", true
	}
	if len(pairs)%2 != 0 {
		return "", false
	}
	var parts []string
	for i := 0; i < len(pairs); i += 2 {
		if !validName(pairs[i]) || strings.Contains(pairs[i], ":") || strings.HasPrefix(pairs[i], "__") {
			return "", false
		}
		parts = append(parts, pairs[i]+`="`+escapeLabel(pairs[i+1])+`"`)
	}
	return "{" + strings.Join(parts, ",") + "}", true
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

func formatValue(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
