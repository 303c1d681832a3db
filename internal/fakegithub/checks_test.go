package fakegithub

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCheckRunsForRef(t *testing.T) {
	f := New(t)
	f.AddToken(tok, "octocat")
	for _, body := range []string{
		`{"name":"mpgate","head_sha":"` + sha40 + `"}`,
		`{"name":"mpgate","head_sha":"` + sha40 + `","status":"in_progress"}`,
		`{"name":"other","head_sha":"` + sha40 + `"}`,
		`{"name":"mpgate","head_sha":"fedcba9876543210fedcba9876543210fedcba98"}`,
	} {
		if resp, b := do(t, f, "POST", "/repos/o/r/check-runs", body, nil); resp.StatusCode != 201 {
			t.Fatalf("create: %d %s", resp.StatusCode, b)
		}
	}
	tests := []struct {
		query string
		ids   []int64
	}{
		{"", []int64{1003, 1002}}, // the latest of each name, newest first
		{"?filter=all", []int64{1003, 1002, 1001}},
		{"?check_name=mpgate&filter=all", []int64{1002, 1001}},
		{"?check_name=mpgate&status=queued&filter=all", []int64{1001}},
		{"?check_name=mpgate&filter=all&per_page=1&page=2", []int64{1001}},
		{"?check_name=mpgate&filter=all&per_page=1&page=9223372036854775807", nil},
		{"?check_name=nothing", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp, body := do(t, f, "GET", "/repos/o/r/commits/"+sha40+"/check-runs"+tt.query, "", nil)
			if resp.StatusCode != 200 {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			var got struct {
				TotalCount int `json:"total_count"`
				CheckRuns  []struct {
					ID      int64  `json:"id"`
					HeadSHA string `json:"head_sha"`
				} `json:"check_runs"`
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, r := range got.CheckRuns {
				ids = append(ids, r.ID)
			}
			if len(ids) != len(tt.ids) || (len(ids) > 0 && ids[0] != tt.ids[0]) || (len(ids) > 1 && ids[1] != tt.ids[1]) {
				t.Errorf("ids %v, want %v", ids, tt.ids)
			}
		})
	}
	if resp, body := do(t, f, "GET", "/repos/o/r/commits/"+sha40+"/check-runs?filter=some", "", nil); resp.StatusCode != 400 || !strings.Contains(body, "filter") {
		t.Errorf("a filter outside the description's enum: %d %s", resp.StatusCode, body)
	}
	if e := f.Errors(); len(e) != 1 {
		t.Errorf("errors: %v, want the bad filter's only", e)
	}
}

func TestFaultsAfterTheWrite(t *testing.T) {
	f := New(t)
	f.AddToken(tok, "octocat")
	f.Fault("checks/create", 1, ServerErrorAfter)
	resp, _ := do(t, f, "POST", "/repos/o/r/check-runs", `{"name":"mpgate","head_sha":"`+sha40+`"}`, nil)
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("status %d, want 502", resp.StatusCode)
	}
	if runs := f.CheckRuns("o/r"); len(runs) != 1 {
		t.Errorf("check runs %+v, want the one created before the 502", runs)
	}
	resp, _ = do(t, f, "POST", "/repos/o/r/check-runs", `{"name":"mpgate","head_sha":"`+sha40+`"}`, nil)
	if resp.StatusCode != http.StatusCreated || len(f.CheckRuns("o/r")) != 2 {
		t.Errorf("the fault outlived its count: %d", resp.StatusCode)
	}
}

func TestHold(t *testing.T) {
	f := New(t)
	f.AddToken(tok, "octocat")
	arrived, release := f.Hold("checks/create")
	answered := make(chan int, 1)
	go func() {
		resp, _ := do(t, f, "POST", "/repos/o/r/check-runs", `{"name":"mpgate","head_sha":"`+sha40+`"}`, nil)
		answered <- resp.StatusCode
	}()
	select {
	case <-arrived:
	case <-time.After(time.Minute):
		t.Fatal("the held request never arrived")
	}
	if runs := f.CheckRuns("o/r"); len(runs) != 1 {
		t.Errorf("held request had no effect: %+v", runs)
	}
	select {
	case code := <-answered:
		t.Fatalf("answered %d while held", code)
	default:
	}
	release()
	if code := <-answered; code != http.StatusCreated {
		t.Errorf("answered %d after release", code)
	}
}
