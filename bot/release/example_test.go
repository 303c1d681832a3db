package release_test

import (
	"fmt"

	"github.com/mpgate/mpgate/bot/release"
)

func ExampleParseBlock() {
	desc := "Fix totals.\n\n```changelog\npayment: fix: rounding of totals\napp: feat!: new home API\n```\n"
	lines, _, _ := release.ParseBlock(desc)
	for _, l := range lines {
		sec, bump, _ := l.Commit.Classify()
		fmt.Println(l.Module, sec, bump, l.Commit.Description)
	}
	// Output:
	// payment Fixed patch rounding of totals
	// app Breaking major new home API
}

func ExampleVersion_Next() {
	for _, s := range []string{"0.0.0", "0.3.1", "1.2.3"} {
		v, _ := release.ParseVersion(s)
		fmt.Println(s, "→", v.Next(release.BumpPatch), v.Next(release.BumpMinor), v.Next(release.BumpMajor))
	}
	// Output:
	// 0.0.0 → 0.1.0 0.1.0 0.1.0
	// 0.3.1 → 0.3.2 0.4.0 0.4.0
	// 1.2.3 → 1.2.4 1.3.0 2.0.0
}
