package actions

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/mpgate/mpgate/checks/compare"
	"github.com/mpgate/mpgate/checks/render"
)

// SummaryLimit is the size of $GITHUB_STEP_SUMMARY GitHub accepts.
const SummaryLimit = 1 << 20

// AppendSummary appends the result to the job summary at path within what
// is left of its 1 MiB; a full summary is said on stderr and left alone.
func AppendSummary(path string, res *compare.Result, title, link string, minChange int64, stderr io.Writer) error {
	var used int64
	if st, err := os.Stat(path); err == nil {
		used = st.Size()
	}
	room := SummaryLimit - int(used) - 2
	if room < render.MinResultBytes {
		fmt.Fprintf(stderr, "mpgate: the job summary is full (%d bytes of %d); the result is not added to it\n", used, SummaryLimit)
		return nil
	}
	var buf bytes.Buffer
	if used > 0 {
		buf.WriteString("\n")
	}
	if err := render.ResultMarkdown(&buf, res, render.ResultOptions{MaxBytes: room, DetailsURL: link, Title: title, MinChange: minChange}); err != nil {
		return err
	}
	return appendFile(path, buf.Bytes())
}
