package gitlabci

import "testing"

func TestArtifactURL(t *testing.T) {
	job := "https://gitlab.example.com/g/p/-/jobs/42"
	for _, tc := range []struct {
		job, file, want string
	}{
		{job, "mpgate-report.html", job + "/artifacts/file/mpgate-report.html"},
		{job + "/", "reports/分包 report.html", job + "/artifacts/file/reports/%E5%88%86%E5%8C%85%20report.html"},
		{job, "../outside.html", ""},
		{job, "/abs/report.html", ""},
		{job, "", ""},
		{"", "mpgate-report.html", ""},
	} {
		if got := artifactURL(tc.job, tc.file); got != tc.want {
			t.Errorf("artifactURL(%q, %q) = %q, want %q", tc.job, tc.file, got, tc.want)
		}
	}
}
