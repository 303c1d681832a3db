package config

import (
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Size
		wantErr string
	}{
		{"2MB", 2 << 20, ""},
		{"2 MB", 2 << 20, ""},
		{"512KB", 512 << 10, ""},
		{"2048KiB", 2 << 20, ""},
		{"1.5MB", 3 << 19, ""},
		{"1GB", 1 << 30, ""},
		{"300B", 300, ""},
		{"2mb", 2 << 20, ""},
		{"0.5KB", 512, ""},
		{"1.0001KB", 1024, ""},
		{"2048", 0, "has no unit"},
		{"2Mb", 0, "ambiguous"},
		{"2 TB", 0, "unknown unit"},
		{"MB", 0, "invalid size"},
		{".MB", 0, "invalid size"},
		{"-1MB", 0, "invalid size"},
		{"1e3KB", 0, "unknown unit"},
		{"2048GB", 0, "larger than 1 TB"},
		{"", 0, "invalid size"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSize(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseSize(%q) = %v, %v; want error with %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseSize(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestSizeString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   Size
		want string
	}{{2 << 20, "2MB"}, {512 << 10, "512KB"}, {1 << 30, "1GB"}, {1536, "1536B"}, {0, "0B"}, {3 << 19, "1536KB"}}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			if got := tt.in.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			back, err := ParseSize(tt.in.String())
			if err != nil || back != tt.in {
				t.Errorf("round trip = %v, %v", back, err)
			}
		})
	}
}

func TestParsePercent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Percent
		wantErr string
	}{
		{"5%", 5, ""},
		{"0.5%", 0.5, ""},
		{"100 %", 100, ""},
		{"0%", 0, ""},
		{"5", 0, "no percent sign"},
		{"0.05", 0, "no percent sign"},
		{"5%%", 0, "invalid share"},
		{"%", 0, "invalid share"},
		{"-5%", 0, "invalid share"},
		{"five%", 0, "invalid share"},
		{"9999999%", 0, "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParsePercent(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParsePercent(%q) = %v, %v; want error with %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParsePercent(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			if back, err := ParsePercent(got.String()); err != nil || back != got {
				t.Errorf("round trip of %v = %v, %v", got, back, err)
			}
		})
	}
}

func TestPtrHelpers(t *testing.T) {
	var s *Size
	var p *Percent
	if s.Int64Ptr() != nil || p.Float64Ptr() != nil {
		t.Error("nil bound not nil")
	}
	sv, pv := Size(2048), Percent(5)
	if got := (&sv).Int64Ptr(); got == nil || *got != 2048 {
		t.Errorf("Int64Ptr = %v", got)
	}
	if got := (&pv).Float64Ptr(); got == nil || *got != 5 {
		t.Errorf("Float64Ptr = %v", got)
	}
}
