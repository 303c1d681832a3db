// Package browsertest drives a real headless Chromium for tests: it loads a page (a URL or a file on disk),
// collects what the page wrote to its console as errors and the exceptions nothing caught, evaluates
// JavaScript (element rectangles, overflow), sets a viewport (a phone's, say) and keeps screenshots as the
// test's artifacts.
//
// It runs Debian's `chromium` (or `chromium-browser`, `google-chrome`; `MPGATE_CHROMIUM` names another
// binary). Without one a test skips with a message saying what to install, except when `CI=true`: there a
// missing browser fails the test, so CI cannot pass by testing nothing (`.ci/run` installs chromium).
//
// Screenshots go to t.ArtifactDir(): kept under the output directory with `go test -artifacts
// -outputdir=DIR`, a temporary directory removed after the test otherwise.
//
// Typical use:
//
//	b := browsertest.New(t)
//	p := b.OpenFile(t, "report.html", browsertest.Phone)
//	if errs := p.Errors(t); len(errs) > 0 { t.Errorf("console: %v", errs) }
//	var w int
//	p.Eval(t, `document.documentElement.scrollWidth`, &w)
//	p.Screenshot(t, "phone")
//
// chromedp talks the DevTools protocol; it is written by hand nowhere here.
package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// opTimeout bounds one browser operation so that a wedged browser fails the test instead of hanging it until
// go test's own timeout. It is generous: the CI machine is small and shared.
const opTimeout = 90 * time.Second

// Viewport is the size of the page's window in CSS pixels, its device scale and whether the browser
// presents itself as a mobile one (mobile meta viewport honoured, touch on).
type Viewport struct {
	Width, Height int
	Scale         float64
	Mobile        bool
}

var (
	// Desktop is a laptop's window.
	Desktop = Viewport{Width: 1280, Height: 800, Scale: 1}
	// Phone is a common phone in portrait (390×844 CSS pixels at 3×, as an iPhone 12–15).
	Phone = Viewport{Width: 390, Height: 844, Scale: 3, Mobile: true}
)

// Browser is one headless Chromium process, closed when the test that started it ends.
type Browser struct {
	ctx context.Context // the browser's chromedp context; each Page is a tab under it
}

// Flags are the command-line switches besides headless mode, no first run and chromedp's defaults. Without
// the background-networking ones Chromium keeps trying to reach Google's services, which a closed network
// refuses (and on some machines the refusal stalls the start); QUIC is off for the same reason.
var Flags = []string{
	"no-sandbox", // the test may run as root in a container, where Chromium's sandbox cannot start
	"disable-gpu",
	"disable-quic",
	"disable-background-networking",
	"disable-component-update",
	"disable-sync",
}

// ErrNoBrowser is returned by Find when no Chromium is installed.
var ErrNoBrowser = errors.New("no chromium found (install Debian's chromium, or set MPGATE_CHROMIUM)")

// Find returns the path of the Chromium binary to run: $MPGATE_CHROMIUM, else the first of chromium,
// chromium-browser, google-chrome on PATH.
func Find() (string, error) {
	if p := os.Getenv("MPGATE_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("MPGATE_CHROMIUM=%s: %w", p, err)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoBrowser
}

// New starts a headless Chromium with a fresh profile for t and stops it when t ends. Without a browser it
// skips t, or fails it when the environment says CI=true.
func New(t testing.TB) *Browser {
	t.Helper()
	path, err := Find()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browsertest: %v; CI=true, so the browser tests must run (.ci/run installs chromium)", err)
		}
		t.Skipf("browsertest: %v; skipping the browser test", err)
	}
	opts := append([]chromedp.ExecAllocatorOption{}, chromedp.DefaultExecAllocatorOptions[:]...)
	opts = append(opts,
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
	)
	for _, f := range Flags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first Run starts the browser; it must not carry a timeout (that would stop the browser with it).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: start %s: %v", path, err)
	}
	return &Browser{ctx: ctx}
}

// Page is one tab of the browser. Its methods fail the test on an error of the browser; a JavaScript
// exception thrown by Eval's expression is such an error.
type Page struct {
	ctx context.Context

	mu       sync.Mutex
	messages []chromedp.ConsoleMessage
	marks    map[string]chan struct{} // sync marks Errors waits for, by text
	seq      int
}

// OpenFile opens a file of the local disk, as a user opening a saved report does (file:// URL).
func (b *Browser) OpenFile(t testing.TB, path string, vp Viewport) *Page {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	return b.Open(t, (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String(), vp)
}

// Open opens url in a new tab with the viewport vp, waits for its load event and returns the page. The tab
// closes when t ends.
func (b *Browser) Open(t testing.TB, rawURL string, vp Viewport) *Page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	p := &Page{ctx: ctx, marks: map[string]chan struct{}{}}
	// Create the tab and subscribe to its console before the page loads, so nothing it writes is lost.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatalf("browsertest: new tab: %v", err)
	}
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() { // ends when the tab's context is cancelled (t's cleanup), which ends the iterator
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			p.record(m)
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	p.SetViewport(t, vp)
	if err := p.run(chromedp.Navigate(rawURL)); err != nil {
		t.Fatalf("browsertest: open %s: %v", rawURL, err)
	}
	return p
}

func (p *Page) record(m chromedp.ConsoleMessage) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ch, ok := p.marks[m.Text]; ok && m.Type == chromedp.ConsoleDebug {
		delete(p.marks, m.Text)
		close(ch)
		return
	}
	p.messages = append(p.messages, m)
}

func (p *Page) run(a chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(p.ctx, opTimeout)
	defer cancel()
	return chromedp.Do(ctx, a)
}

// SetViewport resizes the page's window to vp.
func (p *Page) SetViewport(t testing.TB, vp Viewport) {
	t.Helper()
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(vp.Scale), chromedp.EmulatePortrait}
	if vp.Scale == 0 {
		opts[0] = chromedp.EmulateScale(1)
	}
	if vp.Mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	if err := p.run(chromedp.EmulateViewport(int64(vp.Width), int64(vp.Height), opts...)); err != nil {
		t.Fatalf("browsertest: viewport %+v: %v", vp, err)
	}
}

// Eval evaluates the JavaScript expression in the page and decodes its JSON value into out (a pointer; nil
// to ignore the value). A promise is awaited.
func (p *Page) Eval(t testing.TB, expr string, out any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, opTimeout)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("browsertest: eval %q: %v", short(expr), err)
	}
	if out == nil {
		return
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("browsertest: eval %q: decode %s: %v", short(expr), short(string(raw)), err)
	}
}

// Click clicks the first visible element matching the CSS selector, as a user's click or tap, and returns
// once the click is sent: a navigation it starts goes on (WaitVisible waits for the next page).
func (p *Page) Click(t testing.TB, selector string) {
	t.Helper()
	if err := p.run(chromedp.Click(chromedp.CSS(selector))); err != nil {
		t.Fatalf("browsertest: click %s: %v", selector, err)
	}
}

// WaitVisible waits until an element matching the CSS selector is visible, in this page or in the one a
// navigation replaced it with.
func (p *Page) WaitVisible(t testing.TB, selector string) {
	t.Helper()
	if err := p.run(chromedp.WaitVisible(chromedp.CSS(selector))); err != nil {
		t.Fatalf("browsertest: wait for %s: %v", selector, err)
	}
}

// WaitTrue waits until the JavaScript expression is truthy in the page, evaluating it again in the page a
// navigation replaces this one with: for a page without an element of its own to wait for (a plain 404),
// wait for its location. (chromedp.Poll gives up when the page navigates, so this polls from here.)
func (p *Page) WaitTrue(t testing.TB, expr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, opTimeout)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var err error
	for {
		// An evaluation during a navigation fails; the next one sees the new page.
		var v bool
		if v, err = chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")")); err == nil && v {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("browsertest: wait for %q: %v (last: %v)", short(expr), ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// Rect is an element's bounding box in CSS pixels, relative to the viewport.
type Rect struct {
	X, Y, Width, Height float64
}

// Rects returns the bounding boxes of the elements matching the CSS selector, in document order.
func (p *Page) Rects(t testing.TB, selector string) []Rect {
	t.Helper()
	sel, _ := json.Marshal(selector)
	var rs []Rect
	p.Eval(t, `Array.from(document.querySelectorAll(`+string(sel)+`), e => {
		const r = e.getBoundingClientRect();
		return {X: r.x, Y: r.y, Width: r.width, Height: r.height};
	})`, &rs)
	return rs
}

// HorizontalOverflow returns by how many CSS pixels the document is wider than the layout viewport (0 when
// it fits): on a phone, anything above 0 means the reader scrolls sideways.
func (p *Page) HorizontalOverflow(t testing.TB) int {
	t.Helper()
	var n int
	p.Eval(t, `Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth)`, &n)
	return n
}

// Messages returns everything the page wrote to its console so far (console API calls, uncaught exceptions,
// browser log entries such as a resource that failed to load), in order. It first waits until the browser has
// delivered every message written before the call.
func (p *Page) Messages(t testing.TB) []chromedp.ConsoleMessage {
	t.Helper()
	p.mu.Lock()
	p.seq++
	mark := fmt.Sprintf("browsertest-sync-%d", p.seq)
	ch := make(chan struct{})
	p.marks[mark] = ch
	p.mu.Unlock()
	p.Eval(t, `console.debug(`+fmt.Sprintf("%q", mark)+`)`, nil)
	select {
	case <-ch:
	case <-time.After(opTimeout):
		t.Fatalf("browsertest: the console's messages did not arrive")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]chromedp.ConsoleMessage(nil), p.messages...)
}

// Errors returns the console errors and uncaught exceptions of the page so far, as "type: text (url:line)".
// A page that renders cleanly has none.
func (p *Page) Errors(t testing.TB) []string {
	t.Helper()
	var errs []string
	for _, m := range p.Messages(t) {
		if m.Type != chromedp.ConsoleError && m.Type != chromedp.ConsoleException {
			continue
		}
		s := m.String()
		if m.URL != "" {
			s += fmt.Sprintf(" (%s:%d)", m.URL, m.Line+1)
		}
		errs = append(errs, s)
	}
	return errs
}

// Screenshot writes a PNG of the whole page (beyond the viewport) to name.png in t's artifact directory and
// returns its path.
func (p *Page) Screenshot(t testing.TB, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, opTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("browsertest: screenshot: %v", err)
	}
	path := filepath.Join(t.ArtifactDir(), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	t.Logf("browsertest: screenshot %s", path)
	return path
}

func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
