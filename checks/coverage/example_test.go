package coverage_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mpgate/mpgate/checks/coverage"
)

// A gate reads the report, refuses one that says nothing, and judges project
// and patch coverage.
func Example() {
	lcov := `TN:
SF:/home/runner/work/shop/shop/miniprogram/utils/price.js
DA:1,4
DA:2,4
DA:5,0
DA:6,0
end_of_record
`
	rep, err := coverage.Parse("coverage/lcov.info", strings.NewReader(lcov), coverage.Options{})
	if errors.Is(err, coverage.ErrEmpty) {
		fmt.Println("gate error: the coverage report is empty")
		return
	}
	if err != nil {
		fmt.Println("gate error:", err)
		return
	}
	pct, ok := rep.Percent()
	fmt.Printf("%s: %.1f%% (%v)\n", rep.Format, pct, ok)

	// Lines 2-4 and 6 changed; 3 and 4 are not executable.
	covered, total := rep.Patch(map[string][]int{"miniprogram/utils/price.js": {2, 3, 4, 6}})
	fmt.Printf("patch: %d of %d changed executable lines covered\n", covered, total)
	// Output:
	// lcov: 50.0% (true)
	// patch: 1 of 2 changed executable lines covered
}

func ExampleDetect() {
	for _, head := range []string{"mode: atomic\n", "TN:\nSF:a.js\n", `<?xml version="1.0"?><report name="app">`, `{"total": {}}`} {
		f, err := coverage.Detect([]byte(head))
		fmt.Println(f, err)
	}
	// Output:
	// go <nil>
	// lcov <nil>
	// jacoco <nil>
	// istanbul-summary <nil>
}
