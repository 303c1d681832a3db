package config

import (
	"errors"
	"testing"
)

func TestOneDocument(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data string
		root       bool // a root node comes back
		line       int  // the error's line; 0 = no error
		second     bool
	}{
		{"empty", "", false, 0, false},
		{"null", "~\n", false, 0, false},
		{"comment only", "# nothing\n", false, 0, false},
		{"mapping", "a: 1\n", true, 0, false},
		{"second document", "a: 1\n---\nb: 2\n", false, 2, true},
		{"bad indentation", "a:\n  b: 1\n c: 2\n", false, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root, err := OneDocument([]byte(tt.data))
			var de *DocumentError
			if tt.line == 0 {
				if err != nil {
					t.Fatal(err)
				}
			} else if !errors.As(err, &de) || de.Line != tt.line || de.Second != tt.second {
				t.Fatalf("err = %#v, want line %d second %v", err, tt.line, tt.second)
			}
			if (root != nil) != tt.root {
				t.Errorf("root %v, want one %v", root, tt.root)
			}
		})
	}
}
