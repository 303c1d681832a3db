package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/internal/golden"
)

// fakeQueue records what is enqueued; err and dup set its answer.
type fakeQueue struct {
	mu     sync.Mutex
	events []bot.Event
	calls  int
	err    error
	dup    bool
}

func (q *fakeQueue) Enqueue(_ context.Context, ev bot.Event) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls++
	if q.err != nil {
		return false, q.err
	}
	if q.dup {
		return true, nil
	}
	q.events = append(q.events, ev)
	return false, nil
}

func (q *fakeQueue) snapshot() ([]bot.Event, int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]bot.Event(nil), q.events...), q.calls
}

var errQueueDown = errors.New("queue down")

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func jsonLogger(buf *syncBuffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// post sends one request and returns the status and the body.
func post(t *testing.T, method, url string, header http.Header, body io.Reader) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	return resp.StatusCode, string(b)
}

func readTestdata(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatalf("read testdata: %v", err)
	}
	return b
}

// derive returns the payload raw with the JSON values at the given
// dotted paths replaced (nil sets JSON null).
func derive(t testing.TB, raw []byte, set map[string]any) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("derive: %v", err)
	}
	for path, v := range set {
		keys := strings.Split(path, ".")
		m := doc
		for _, k := range keys[:len(keys)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				t.Fatalf("derive: %s: %q is not an object", path, k)
			}
			m = next
		}
		m[keys[len(keys)-1]] = v
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatalf("derive: %v", err)
	}
	return out
}

// checkGolden compares ev's indented JSON with testdata/golden/name.json,
// rewriting it under -update.
func checkGolden(t *testing.T, name string, ev bot.Event) {
	t.Helper()
	got, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	got = append(got, '\n')
	golden.Check(t, filepath.Join("testdata", "golden", name+".json"), got)
}
