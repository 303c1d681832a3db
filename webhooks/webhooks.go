// Package webhooks receives GitHub and GitLab webhook deliveries over HTTP:
// it authenticates each one (failing closed when no secret is configured),
// caps the body, normalises the payload into a bot.Event and hands it to an
// Enqueuer. A delivery is acknowledged with 202 only once Enqueue has
// succeeded, so the forge can redeliver whatever was lost.
//
// GitLab signing (researched 2026-11): GitLab MR !230944 (issue #19367,
// behind the webhook_signing_token flag, GitLab 19) adds an optional
// signing token in the Standard Webhooks format. GitLab then sends
// webhook-id (equal to Idempotency-Key), webhook-timestamp (Unix seconds)
// and webhook-signature: "v1,<base64 HMAC-SHA256>" over
// "{webhook-id}.{webhook-timestamp}.{raw body}", the key being the base64
// after "whsec_" of the token (MR !231325: whsec_ + base64 of 32 bytes).
// webhook-id and webhook-timestamp are sent on every delivery, the
// signature only when a signing token is set. No "X-Gitlab-Signature"
// header exists: that name was only proposed in #19367.
package webhooks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/mpgate/mpgate/bot"
)

// Enqueuer stores an accepted event durably for the workers. It reports
// duplicate when an event with the same forge and delivery id was already
// enqueued (then nothing is stored again). An *Ignored error refuses the
// event for good: the delivery is answered 202 "ignored", not 500.
type Enqueuer interface {
	Enqueue(ctx context.Context, ev bot.Event) (duplicate bool, err error)
}

var (
	_ http.Handler = (*githubHandler)(nil)
	_ http.Handler = (*gitlabHandler)(nil)
	_ error        = (*Ignored)(nil)
	_ error        = (*PayloadError)(nil)
)

// DefaultMaxBody caps a delivery's body when a config leaves MaxBody zero.
// GitHub caps payloads at 25 MB.
const DefaultMaxBody int64 = 25 << 20

// Log attribute keys, the same on every line.
const (
	logKeyForge    = "forge"
	logKeyDelivery = "delivery"
	logKeyRepo     = "repo"
	logKeyEvent    = "event"
	logKeyReason   = "reason"
	logKeyErr      = "err"
	logKeyStatus   = "status"
)

// Ignored is the reason an authentic delivery is not acted on. It is not a
// failure: the handler answers 2xx.
type Ignored struct {
	Reason string
	// Unusable marks an event the bot would act on but whose payload
	// lacks what it needs: logged as a warning.
	Unusable bool
}

func (e *Ignored) Error() string { return "ignored: " + e.Reason }

func ignored(format string, args ...any) error {
	return &Ignored{Reason: fmt.Sprintf(format, args...)}
}

// PayloadError is a payload that cannot be normalised: malformed JSON or a
// required part missing. The handler answers 400 with its message.
type PayloadError struct {
	Event string
	// Malformed: the body is not JSON at all (otherwise it parsed but
	// lacks a part the bot needs).
	Malformed bool
	Err       error
}

func (e *PayloadError) Error() string { return fmt.Sprintf("%s payload: %v", e.Event, e.Err) }
func (e *PayloadError) Unwrap() error { return e.Err }

func badPayload(event string, format string, args ...any) error {
	return &PayloadError{Event: event, Err: fmt.Errorf(format, args...)}
}

// delivery is one request being handled: where to log and how to answer.
type delivery struct {
	w     http.ResponseWriter
	log   *slog.Logger
	forge string
	id    string
	repo  string
	event string
}

func (d *delivery) attrs(extra ...any) []any {
	return append([]any{logKeyForge, d.forge, logKeyDelivery, d.id, logKeyRepo, d.repo, logKeyEvent, d.event}, extra...)
}

// reply writes a plain-text answer and logs it at the given level.
func (d *delivery) reply(level slog.Level, status int, msg string, extra ...any) {
	d.log.Log(context.Background(), level, "webhook "+msg, d.attrs(append([]any{logKeyStatus, status}, extra...)...)...)
	d.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	d.w.Header().Set("X-Content-Type-Options", "nosniff")
	d.w.WriteHeader(status)
	_, _ = io.WriteString(d.w, msg+"\n")
}

func loggerOr(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

func maxOr(n int64) int64 {
	if n <= 0 {
		return DefaultMaxBody
	}
	return n
}

// headerValueOK reports whether a delivery id or event name is short
// enough to log and store.
func headerValueOK(v string) bool { return len(v) <= maxDeliveryID }

// truncate shortens an over-long header value for the log line.
func truncate(v string) string {
	if len(v) <= 64 {
		return v
	}
	return v[:64] + "…"
}

// readBody reads at most max bytes of the request body. It answers 413
// itself (and returns ok false) when the body is larger; the body is then
// never parsed.
func readBody(d *delivery, r *http.Request, max int64) ([]byte, bool) {
	if r.ContentLength > max {
		d.reply(slog.LevelWarn, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("body too large: %d bytes, at most %d", r.ContentLength, max))
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(d.w, r.Body, max))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			d.reply(slog.LevelWarn, http.StatusRequestEntityTooLarge,
				fmt.Sprintf("body too large: more than %d bytes", max))
			return nil, false
		}
		d.reply(slog.LevelWarn, http.StatusBadRequest, "cannot read body", logKeyErr, err.Error())
		return nil, false
	}
	return body, true
}

// dispatch answers for a normalisation result: 400 for a bad payload, 2xx
// for an ignored event, and otherwise enqueues: 202 once stored (in the
// database, or in the queue's spool on disk when the database refuses it),
// 200 for a duplicate, 500 only when neither could keep it (so the forge
// shows the failure and the delivery can be redelivered).
func dispatch(ctx context.Context, d *delivery, q Enqueuer, ev bot.Event, err error) {
	if ev.Repo.Owner != "" || ev.Repo.Name != "" {
		d.repo = ev.Repo.FullName()
	}
	var ign *Ignored
	switch {
	case errors.As(err, &ign):
		level := slog.LevelInfo
		if ign.Unusable {
			level = slog.LevelWarn
		}
		d.reply(level, http.StatusAccepted, "ignored: "+ign.Reason, logKeyReason, ign.Reason)
		return
	case err != nil:
		d.reply(slog.LevelWarn, http.StatusBadRequest, "bad payload: "+err.Error())
		return
	}
	if q == nil {
		d.reply(slog.LevelError, http.StatusServiceUnavailable, "no queue configured")
		return
	}
	dup, err := q.Enqueue(ctx, ev)
	switch {
	case errors.As(err, &ign):
		// The Enqueuer refused the event for good (a repository the server
		// does not serve): acknowledged, so the forge does not redeliver.
		d.reply(slog.LevelWarn, http.StatusAccepted, "ignored: "+ign.Reason, logKeyReason, ign.Reason)
	case err != nil:
		d.reply(slog.LevelError, http.StatusInternalServerError, "could not enqueue the event", logKeyErr, err.Error())
	case dup:
		d.reply(slog.LevelInfo, http.StatusOK, "duplicate")
	default:
		d.reply(slog.LevelInfo, http.StatusAccepted, "accepted "+string(ev.Kind))
	}
}

// checkCommitIDs refuses a normalised event whose commit ids are not 40
// (SHA-1) or 64 (SHA-256) hexadecimal digits: they name worktrees, refs
// and stored reports, so nothing else may reach the bot.
func checkCommitIDs(event string) func(bot.Event, error) (bot.Event, error) {
	return func(ev bot.Event, err error) (bot.Event, error) {
		if err != nil {
			return ev, err
		}
		ids := map[string]string{}
		if pr := ev.PullRequest; pr != nil {
			ids["head sha"], ids["base sha"], ids["merge sha"] = pr.HeadSHA, pr.BaseSHA, pr.MergeSHA
		}
		if p := ev.Push; p != nil {
			ids["before"], ids["after"] = p.Before, p.After
		}
		if c := ev.Check; c != nil {
			ids["check head sha"] = c.HeadSHA
		}
		for what, id := range ids {
			if id != "" && !isCommitID(id) {
				return bot.Event{}, badPayload(event, "%s %.80q is not a commit id (40 or 64 hexadecimal digits)", what, id)
			}
		}
		return ev, nil
	}
}

func isCommitID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
