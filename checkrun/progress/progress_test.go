package progress

import (
	"bytes"
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := New(&buf)
	p.now = func() time.Time { return now }
	cb := p.ForProject("shop")

	p.tick()
	if buf.Len() != 0 {
		t.Fatalf("drew %q before any stage", buf.String())
	}
	cb("scanning", 10, 100)
	p.tick()
	if buf.Len() != 0 {
		t.Fatalf("drew %q for a fresh stage", buf.String())
	}
	now = now.Add(1500 * time.Millisecond)
	cb("scanning", 50, 100) // same stage: its start stays
	p.tick()
	if got := buf.String(); got != "\r\x1b[Kmpgate: shop: scanning 50/100, 1s" {
		t.Fatalf("line = %q", got)
	}
	buf.Reset()
	p.tick() // nothing changed: nothing drawn
	if buf.Len() != 0 {
		t.Fatalf("redrew %q", buf.String())
	}
	now = now.Add(time.Second)
	cb("scanning", 0, 100)
	p.tick()
	if got := buf.String(); got != "\r\x1b[Kmpgate: shop: scanning (100 files), 2s" {
		t.Fatalf("line = %q", got)
	}
	buf.Reset()
	cb("measuring", 0, 0) // a new stage starts the clock again
	p.tick()
	if buf.Len() != 0 {
		t.Fatalf("drew %q for a fresh stage", buf.String())
	}
	p.Clear()
	if got := buf.String(); got != "\r\x1b[K" {
		t.Fatalf("clear wrote %q", got)
	}
	buf.Reset()
	p.Clear()
	if buf.Len() != 0 {
		t.Fatal("clear wrote twice")
	}
	stop := p.Start()
	stop()
	stop()
}
