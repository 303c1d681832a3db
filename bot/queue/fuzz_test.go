package queue

import (
	"context"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/store/storetest"
)

func TestStorable(t *testing.T) {
	ev := bot.Event{DeliveryID: "d\x00", Comment: &bot.Comment{Body: "a\x00b"},
		PullRequest: &bot.PullRequest{Labels: []string{"x\x00"}, Title: "ok"}}
	got := storable(ev)
	tests := []struct{ name, got, want string }{
		{"delivery id", got.DeliveryID, "d\uFFFD"},
		{"pointer field", got.Comment.Body, "a\uFFFDb"},
		{"slice element", got.PullRequest.Labels[0], "x\uFFFD"},
		{"untouched", got.PullRequest.Title, "ok"},
		{"caller's comment kept", ev.Comment.Body, "a\x00b"},
		{"caller's labels kept", ev.PullRequest.Labels[0], "x\x00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

// FuzzEnqueue: any delivery is queued on every configured database (no
// error, no panic), and queuing it again is a duplicate.
func FuzzEnqueue(f *testing.F) {
	for _, seed := range [][2]string{{"d-1", "/approve-size"}, {"d\x00", "a\x00b"}, {"", "\xff\xfe"}, {"中文", `"\u0000"`}} {
		f.Add(seed[0], seed[1])
	}
	var queues []*Queue
	for _, b := range storetest.Backends() {
		d := testDB{backend: b, dir: f.TempDir()}
		if b.Name == "postgres" {
			d.url = storetest.PostgresURL(f)
		}
		cfg := d.config()
		q, err := Open(context.Background(), cfg)
		if err != nil {
			f.Fatal(err)
		}
		f.Cleanup(func() { _ = q.Close() })
		queues = append(queues, q)
	}
	f.Fuzz(func(t *testing.T, delivery, body string) {
		ev := event(bot.ForgeGitHub, delivery)
		ev.Comment = &bot.Comment{Body: body}
		for _, q := range queues {
			if _, err := q.Enqueue(context.Background(), ev); err != nil {
				t.Fatalf("Enqueue(%q, %q): %v", delivery, body, err)
			}
			dup, err := q.Enqueue(context.Background(), ev)
			if err != nil {
				t.Fatalf("Enqueue again: %v", err)
			}
			if dup != (delivery != "") {
				t.Fatalf("second Enqueue(%q) duplicate = %v", delivery, dup)
			}
		}
	})
}

// FuzzRedact: redact never panics, keeps the scheme, and leaves no user
// information before the host.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{"postgres://u:pw@h/db", "postgres://h", "x", "://@", "a://b@c@d/e@f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, u string) {
		got := redact(u)
		scheme, rest, ok := strings.Cut(u, "://")
		if !ok {
			if got != u {
				t.Fatalf("redact(%q) = %q, want it unchanged", u, got)
			}
			return
		}
		if !strings.HasPrefix(got, scheme+"://") {
			t.Fatalf("redact(%q) = %q lost the scheme", u, got)
		}
		host := rest
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			host = rest[:i]
		}
		if strings.Contains(host, "@") {
			gotRest := strings.TrimPrefix(got, scheme+"://")
			gotHost := gotRest
			if i := strings.IndexAny(gotRest, "/?#"); i >= 0 {
				gotHost = gotRest[:i]
			}
			if !strings.HasPrefix(gotHost, "…@") || strings.Count(gotHost, "@") != 1 {
				t.Fatalf("redact(%q) = %q keeps user information", u, got)
			}
		}
	})
}
