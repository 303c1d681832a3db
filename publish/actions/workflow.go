package actions

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/checks/render"
)

// AnnotationsPerLevel is how many ::error, ::warning and ::notice
// annotations of one step GitHub shows (docs: "Workflow commands").
const AnnotationsPerLevel = 10

// escapeData escapes a workflow command's message (GitHub's escapeData).
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value (GitHub's
// escapeProperty).
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// workflowLevel maps a check-run level onto a workflow command.
func workflowLevel(level string) string {
	switch level {
	case bot.LevelFailure:
		return "error"
	case bot.LevelWarning:
		return "warning"
	}
	return "notice"
}

// Annotation formats one ::error/::warning/::notice command.
func Annotation(a render.Annotation) string {
	var props []string
	if a.Path != "" {
		props = append(props, "file="+escapeProperty(a.Path))
		if a.StartLine > 0 {
			props = append(props, "line="+strconv.Itoa(a.StartLine))
			if a.EndLine > a.StartLine {
				props = append(props, "endLine="+strconv.Itoa(a.EndLine))
			}
			if a.StartCol > 0 && a.EndLine <= a.StartLine {
				props = append(props, "col="+strconv.Itoa(a.StartCol))
				if a.EndCol > a.StartCol {
					props = append(props, "endColumn="+strconv.Itoa(a.EndCol))
				}
			}
		}
	}
	if a.Title != "" {
		props = append(props, "title="+escapeProperty(a.Title))
	}
	cmd := "::" + workflowLevel(a.Level)
	if len(props) > 0 {
		cmd += " " + strings.Join(props, ",")
	}
	return cmd + "::" + escapeData(a.Message)
}

// PrintAnnotations prints the annotations as workflow commands within
// GitHub's cap of 10 per level per step: the first ones of each level (the
// list is most important first), then one notice saying how many more the
// job summary has. notices come first and count against the cap.
func PrintAnnotations(w io.Writer, anns []render.Annotation, notices []string) error {
	caps := map[string]int{"error": AnnotationsPerLevel, "warning": AnnotationsPerLevel,
		"notice": max(AnnotationsPerLevel-len(notices), 0)}
	counts := map[string]int{}
	for _, a := range anns {
		counts[workflowLevel(a.Level)]++
	}
	left := func() int {
		n := 0
		for l, c := range counts {
			n += max(c-caps[l], 0)
		}
		return n
	}
	if left() > 0 && caps["notice"] > 0 {
		caps["notice"]-- // room for the "more in the summary" notice
	}
	var b strings.Builder
	for _, n := range notices {
		b.WriteString("::notice title=mpgate::" + escapeData(n) + "\n")
	}
	shown := map[string]int{}
	for _, a := range anns {
		l := workflowLevel(a.Level)
		if shown[l] >= caps[l] {
			continue
		}
		shown[l]++
		b.WriteString(Annotation(a) + "\n")
	}
	if more := left(); more > 0 {
		var parts []string
		for _, l := range []string{"error", "warning", "notice"} {
			if n := counts[l] - shown[l]; n > 0 {
				parts = append(parts, plural(n, l, l+"s"))
			}
		}
		fmt.Fprintf(&b, "::notice title=mpgate::%s more in the job summary (GitHub shows %d annotations of each level per step)\n",
			strings.Join(parts, ", "), AnnotationsPerLevel)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// The step outputs (action.yml's outputs).
const (
	OutputVerdict     = "verdict"
	OutputReport      = "report"
	OutputCommentBody = "comment-body"
)

// Output is one step output.
type Output struct{ Name, Value string }

// AppendOutputs appends name<<DELIMITER / value / DELIMITER blocks to
// $GITHUB_OUTPUT, with a random delimiter that is not in the value.
func AppendOutputs(path string, outs []Output) error {
	var b strings.Builder
	for _, o := range outs {
		delim, err := randomDelimiter()
		if err != nil {
			return err
		}
		for strings.Contains(o.Value, delim) {
			if delim, err = randomDelimiter(); err != nil {
				return err
			}
		}
		value := o.Value
		if !strings.HasSuffix(value, "\n") {
			value += "\n"
		}
		fmt.Fprintf(&b, "%s<<%s\n%s%s\n", o.Name, delim, value, delim)
	}
	return appendFile(path, []byte(b.String()))
}

func randomDelimiter() (string, error) {
	var buf [16]byte
	if _, err := rand.Read(buf[:]); err != nil {
		return "", fmt.Errorf("random delimiter: %w", err)
	}
	return "ghadelimiter_" + hex.EncodeToString(buf[:]), nil
}

func appendFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
