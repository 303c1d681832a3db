// Package lint reads the JSON reports of ESLint (`eslint -f json`) and
// Stylelint (`stylelint -f json`) into one list of problems at file:line, for
// GATE-LINT and for annotations.
package lint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Severities.
const (
	Error   = "error"
	Warning = "warning"
)

// Problem is one lint finding.
type Problem struct {
	Tool     string `json:"tool"` // "eslint" or "stylelint"
	File     string `json:"file"` // relative to the repository root, "/"
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	EndLine  int    `json:"endLine,omitempty"`
	Severity string `json:"severity"`
	Rule     string `json:"rule,omitempty"`
	Message  string `json:"message"`
}

// ErrFormat marks input that is neither an ESLint nor a Stylelint report.
var ErrFormat = errors.New("not an ESLint or Stylelint JSON report")

// maxReport caps a report (a large monorepo's ESLint JSON is a few MB).
const maxReport = 256 << 20

type eslintFile struct {
	FilePath string `json:"filePath"`
	Messages []struct {
		RuleID   *string `json:"ruleId"`
		Severity int     `json:"severity"`
		Message  string  `json:"message"`
		Line     int     `json:"line"`
		Column   int     `json:"column"`
		EndLine  int     `json:"endLine"`
		Fatal    bool    `json:"fatal"`
	} `json:"messages"`
}

type stylelintFile struct {
	Source   string `json:"source"`
	Warnings []struct {
		Line     int    `json:"line"`
		Column   int    `json:"column"`
		EndLine  int    `json:"endLine"`
		Rule     string `json:"rule"`
		Severity string `json:"severity"`
		Text     string `json:"text"`
	} `json:"warnings"`
}

// Parse reads a report. name is used in errors; repoRoot turns the absolute
// paths the tools write into repository-relative ones.
func Parse(name string, r io.Reader, repoRoot string) ([]Problem, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxReport+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxReport {
		return nil, fmt.Errorf("%s: larger than %d MB; is it really a lint report?", name, maxReport>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w: %s (produce it with `eslint -f json -o FILE` or `stylelint -f json -o FILE`)", name, ErrFormat, jsonErr(data, err))
	}
	var out []Problem
	for i, entry := range raw {
		switch {
		case entry["filePath"] != nil:
			var f eslintFile
			if err := remarshal(entry, &f); err != nil {
				return nil, fmt.Errorf("%s: entry %d: %w", name, i, err)
			}
			for _, m := range f.Messages {
				p := Problem{Tool: "eslint", File: relPath(f.FilePath, repoRoot), Line: m.Line, Column: m.Column,
					EndLine: m.EndLine, Severity: Warning, Message: m.Message}
				if m.Severity >= 2 || m.Fatal {
					p.Severity = Error
				}
				if m.RuleID != nil {
					p.Rule = *m.RuleID
				}
				out = append(out, p)
			}
		case entry["source"] != nil && entry["warnings"] != nil:
			var f stylelintFile
			if err := remarshal(entry, &f); err != nil {
				return nil, fmt.Errorf("%s: entry %d: %w", name, i, err)
			}
			for _, w := range f.Warnings {
				sev := Warning
				if w.Severity == Error {
					sev = Error
				}
				out = append(out, Problem{Tool: "stylelint", File: relPath(f.Source, repoRoot), Line: w.Line,
					Column: w.Column, EndLine: w.EndLine, Severity: sev, Rule: w.Rule, Message: w.Text})
			}
		default:
			return nil, fmt.Errorf("%s: entry %d has neither filePath (ESLint) nor source and warnings (Stylelint): %w", name, i, ErrFormat)
		}
	}
	return out, nil
}

func remarshal(m map[string]json.RawMessage, v any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// jsonErr adds the line and column to a JSON syntax error.
func jsonErr(data []byte, err error) string {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return err.Error()
	}
	line, col := 1, 1
	for _, c := range data[:min(int(se.Offset), len(data))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}

// relPath makes p relative to root with "/"; paths outside root stay as
// they are (cleaned).
func relPath(p, root string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	if root != "" && filepath.IsAbs(filepath.FromSlash(p)) {
		if rel, err := filepath.Rel(root, filepath.FromSlash(p)); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
	}
	return strings.TrimPrefix(filepath.ToSlash(filepath.Clean(filepath.FromSlash(p))), "./")
}
