package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/sourcegraph/conc"
)

// progressDelay is how long a stage runs before it gets a progress line.
const progressDelay = time.Second

// progress shows one line on a terminal for a stage that takes longer than
// progressDelay, and clears it when done. The engine reports stages through
// analyze.Options.Progress; a ticker redraws the line.
type Line struct {
	w   io.Writer
	now func() time.Time

	mu          sync.Mutex
	project     string
	stage       string
	done, total int
	started     time.Time
	shown       bool
	last        string // the line on screen
}

func New(w io.Writer) *Line {
	return &Line{w: w, now: time.Now}
}

// forProject returns the callback for analyze.Options.Progress.
func (p *Line) ForProject(name string) func(stage string, done, total int) {
	return func(stage string, done, total int) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if stage != p.stage || name != p.project {
			p.project, p.stage, p.started = name, stage, p.now()
		}
		p.done, p.total = done, total
	}
}

// tick draws the line when the current stage has run long enough.
func (p *Line) tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stage == "" || p.now().Sub(p.started) < progressDelay {
		return
	}
	line := "mpgate: "
	if p.project != "" {
		line += p.project + ": "
	}
	line += p.stage
	switch {
	case p.total > 0 && p.done > 0:
		line += fmt.Sprintf(" %d/%d", p.done, p.total)
	case p.total > 0:
		line += fmt.Sprintf(" (%d files)", p.total)
	}
	line += fmt.Sprintf(", %ds", int(p.now().Sub(p.started).Seconds()))
	if r := []rune(line); len(r) > 79 {
		line = string(r[:78]) + "…"
	}
	if line == p.last {
		return
	}
	fmt.Fprint(p.w, "\r\x1b[K"+line)
	p.shown, p.last = true, line
}

// clear removes the line if one was drawn.
func (p *Line) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown, p.last = false, ""
	}
	p.stage = ""
}

// start runs the ticker until the returned stop is called; stop waits for
// it and clears the line.
func (p *Line) Start() (stop func()) {
	done := make(chan struct{})
	var wg conc.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				p.tick()
			}
		}
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			wg.Wait()
			p.Clear()
		})
	}
}

// IsTerminal reports whether w is a character device (a terminal).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || f == nil {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
