package release

import (
	"context"
	"strings"
	"testing"
)

// TestPlanNotesListAPIChanges: a module released before, whose public
// script loses an export and gains one, lists both in its release notes,
// the breaking one first.
func TestPlanNotesListAPIChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRepo(t)
	files := miniProgram()
	files["packagePay/api.js"] = "function pay(amount, currency = 'CNY') {}\nfunction refund(id) {}\nmodule.exports = { pay, refund }\n"
	r.commit("feat(packagePay): pay", files)
	r.git("tag", "-a", "-m", "packagePay@v1.0.0", "packagePay@v1.0.0")
	r.commit("feat(packagePay)!: refunds go, receipts come", map[string]string{
		"packagePay/api.js": "function pay(amount, currency = 'CNY') {}\nfunction receipt(id, format) {}\nmodule.exports = { pay, receipt }\n",
	})
	plan, err := Plan(ctx, r.dir, nil, PlanOptions{Date: testDate})
	if err != nil {
		t.Fatal(err)
	}
	var notes string
	for _, m := range plan.Releases() {
		if m.Name == "packagePay" {
			notes = m.Notes
			if m.API == nil || m.API.Need != BumpMajor {
				t.Errorf("API = %+v, want a change that needs a major version", m.API)
			}
		}
	}
	want := "**API changes** since the previous release:\n" +
		"- **breaking:** `packagePay/api.js`: export refund (function of 1 parameter(s)) removed\n" +
		"- `packagePay/api.js`: export receipt (function of 2 parameter(s)) added\n"
	if !strings.Contains(notes, want) {
		t.Errorf("notes:\n%s\nlack:\n%s", notes, want)
	}

	// The app module's API did not change: its notes say nothing of it.
	for _, m := range plan.Releases() {
		if m.Name != "packagePay" && strings.Contains(m.Notes, "API changes") {
			t.Errorf("module %s lists API changes it has not:\n%s", m.Name, m.Notes)
		}
	}
}
