package metrics

import (
	"bytes"
	"flag"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

func TestRegistryGolden(t *testing.T) {
	r := New()
	r.Add("mpgate_deliveries_total", "Webhook deliveries by event and HTTP status.", 1, "event", "pull_request", "status", "202")
	r.Add("mpgate_deliveries_total", "ignored", 2, "event", "pull_request", "status", "202")
	r.Add("mpgate_deliveries_total", "", 1, "event", "ping", "status", "200")
	r.Add("mpgate_odd_labels_total", "Help with a \\ and\na newline.", 1, "v", "quote \" backslash \\ newline \n")
	r.Add("mpgate_negative_total", "never written", -1)
	r.Add("mpgate_bad_pairs_total", "odd label list", 1, "alone")
	r.Collect(func() []Family {
		return []Family{{Name: "mpgate_queue_jobs", Help: "Jobs by kind and state.", Type: Gauge, Samples: []Sample{
			{Labels: []string{"kind", "mpgate.event", "state", "completed"}, Value: 3},
			{Labels: []string{"kind", "mpgate.evaluate", "state", "available"}, Value: 0.5},
		}}, {Name: "9bad", Type: Gauge, Samples: []Sample{{Value: 1}}},
			{Name: "mpgate_special", Help: "Special values.", Type: Gauge, Samples: []Sample{
				{Labels: []string{"v", "inf"}, Value: math.Inf(1)}, {Labels: []string{"v", "nan"}, Value: math.NaN()},
				{Labels: []string{"__reserved", "x"}, Value: 1}}}}
	})
	var buf bytes.Buffer
	if err := Write(&buf, r.Families()); err != nil {
		t.Fatal(err)
	}
	golden(t, "registry.txt", buf.Bytes())
}

func TestHandler(t *testing.T) {
	r := New()
	r.Add("up_total", "Up.", 1)
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if ct := rec.Header().Get("Content-Type"); ct != ContentType {
		t.Errorf("Content-Type %q", ct)
	}
	if !strings.Contains(rec.Body.String(), "\nup_total 1\n") {
		t.Errorf("body %q", rec.Body.String())
	}
}

func TestValidName(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{{"a", true}, {"a_b:c9", true}, {"9a", false}, {"", false}, {"a-b", false}, {"é", false}}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := validName(tt.in); got != tt.want {
				t.Errorf("validName(%q) = %v", tt.in, got)
			}
		})
	}
}
