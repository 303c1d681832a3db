package config

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// DocumentError is why data is not one YAML document: the parser's error
// at its line, or a second document (Second, at the second's start). The
// repository config and the server config (internal/serverconfig) both read
// their file through OneDocument and word a second document their own way.
type DocumentError struct {
	Line, Column int
	// Msg is "invalid YAML: …" for a parse error; empty when Second.
	Msg    string
	Second bool
}

func (e *DocumentError) Error() string {
	if e.Second {
		return "line " + strconv.Itoa(e.Line) + ": a second YAML document"
	}
	return e.Msg
}

// OneDocument decodes data as exactly one YAML document and returns its
// root node, nil when the document is empty or null. Otherwise the error is
// a *DocumentError.
func OneDocument(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, parseError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &DocumentError{Line: extra.Line, Column: extra.Column, Second: true}
	} else if !errors.Is(err, io.EOF) {
		return nil, parseError(err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, nil
		}
		root = root.Content[0]
	}
	if isNull(root) {
		return nil, nil
	}
	return root, nil
}

// parseError turns the YAML parser's "yaml: line 3: msg" into a
// DocumentError at that line.
func parseError(err error) *DocumentError {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	e := &DocumentError{Msg: "invalid YAML: " + msg}
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil && n > 0 {
				e.Line, e.Msg = n, "invalid YAML: "+text
			}
		}
	}
	return e
}
