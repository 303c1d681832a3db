package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot"
)

// GitLabConfig configures the GitLab handler. At least one of Token and
// SigningToken must be set (otherwise every delivery is refused with 503);
// each one that is set must verify.
type GitLabConfig struct {
	// Token is the hook's secret token, sent back verbatim in
	// X-Gitlab-Token.
	Token []byte
	// SigningToken is the hook's signing token (GitLab 19+, MR !230944,
	// Standard Webhooks): "whsec_<base64 key>" as GitLab shows it, or the
	// raw key. When set, webhook-signature must hold a "v1,<base64
	// HMAC-SHA256>" of "{webhook-id}.{webhook-timestamp}.{body}" and the
	// timestamp must be within SignatureTolerance of Now.
	SigningToken []byte
	Enqueuer     Enqueuer
	// Logger receives one line per delivery (nil: discard).
	Logger *slog.Logger
	// MaxBody caps the body in bytes (0: DefaultMaxBody).
	MaxBody int64
	// MaxPending caps the bytes of bodies held at once before their
	// signature is checked (0: DefaultMaxPending; never below MaxBody).
	// A delivery whose X-Gitlab-Token was checked and that needs no
	// signature check is already authenticated and not counted.
	MaxPending int64
	// Now is the clock for the signature's timestamp (nil: time.Now).
	Now func() time.Time
}

// SignatureTolerance is how far a signed delivery's webhook-timestamp may
// be from now (Standard Webhooks' recommended window), against replays.
const SignatureTolerance = 5 * time.Minute

// GitLab delivery headers.
const (
	headerGitLabEvent       = "X-Gitlab-Event"
	headerGitLabToken       = "X-Gitlab-Token"
	headerIdempotencyKey    = "Idempotency-Key"
	headerGitLabWebhookUUID = "X-Gitlab-Webhook-UUID"
	headerGitLabEventUUID   = "X-Gitlab-Event-UUID"
	// Standard Webhooks headers (GitLab sends webhook-id and
	// webhook-timestamp always, webhook-signature with a signing token).
	headerWebhookID        = "Webhook-Id"
	headerWebhookTimestamp = "Webhook-Timestamp"
	headerWebhookSignature = "Webhook-Signature"
)

type gitlabHandler struct {
	cfg    GitLabConfig
	key    []byte // the signing key, decoded
	budget *bodyBudget
	// keyErr is why SigningToken could not be decoded (then every
	// delivery is refused).
	keyErr error
}

// NewGitLab returns the handler for GitLab deliveries: POST only; the
// X-Gitlab-Token is compared in constant time and, with a signing token,
// the webhook-signature checked; 401 when either fails. Every authentic
// delivery the bot does not act on is answered 2xx, because GitLab disables
// a hook after repeated failures. Accepted events are normalised
// (NormalizeGitLab) and enqueued. The delivery id is Idempotency-Key
// (stable across retries), else webhook-id, else X-Gitlab-Webhook-UUID and
// X-Gitlab-Event-UUID, else a SHA-256 of the body.
func NewGitLab(cfg GitLabConfig) http.Handler {
	cfg.Logger = loggerOr(cfg.Logger)
	cfg.MaxBody = maxOr(cfg.MaxBody)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &gitlabHandler{cfg: cfg, budget: newBodyBudget(cfg.MaxPending, cfg.MaxBody)}
	if len(cfg.SigningToken) > 0 {
		h.key, h.keyErr = signingKey(cfg.SigningToken)
	}
	return h
}

// signingKey decodes "whsec_<base64>"; any other token is the key itself.
func signingKey(token []byte) ([]byte, error) {
	s, ok := strings.CutPrefix(string(token), "whsec_")
	if !ok {
		return token, nil
	}
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("signing token after whsec_ is not base64: %w", err)
	}
	if len(key) == 0 {
		return nil, errors.New("signing token whsec_ holds an empty key")
	}
	return key, nil
}

func (h *gitlabHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d := &delivery{
		w: w, log: h.cfg.Logger, forge: bot.ForgeGitLab,
		id:    gitlabDeliveryID(r.Header, nil),
		event: r.Header.Get(headerGitLabEvent),
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		d.reply(slog.LevelWarn, http.StatusMethodNotAllowed, "method not allowed: "+r.Method)
		return
	}
	if len(h.cfg.Token) == 0 && len(h.cfg.SigningToken) == 0 {
		d.reply(slog.LevelError, http.StatusServiceUnavailable,
			"no GitLab webhook token configured: refusing every delivery (set the secret or signing token)")
		return
	}
	if h.keyErr != nil {
		d.reply(slog.LevelError, http.StatusServiceUnavailable,
			"GitLab signing token unusable: refusing every delivery", logKeyErr, h.keyErr.Error())
		return
	}
	if len(h.cfg.Token) > 0 && !tokenEqual(h.cfg.Token, r.Header.Get(headerGitLabToken)) {
		d.reply(slog.LevelWarn, http.StatusUnauthorized, "token rejected")
		return
	}
	// Everything the headers alone can refuse is refused before a byte of
	// the body is read.
	var sig *standardHeaders
	if h.key != nil {
		var err error
		if sig, err = parseStandardHeaders(r.Header, h.cfg.Now()); err != nil {
			d.reply(slog.LevelWarn, http.StatusUnauthorized, "signature rejected", logKeyReason, err.Error())
			return
		}
	}
	if d.event == "" {
		d.reply(slog.LevelWarn, http.StatusBadRequest, "missing "+headerGitLabEvent+" header")
		return
	}
	if !headerValueOK(d.id) || !headerValueOK(d.event) {
		d.id, d.event = truncate(d.id), truncate(d.event)
		d.reply(slog.LevelWarn, http.StatusBadRequest,
			fmt.Sprintf("delivery id or %s longer than %d bytes", headerGitLabEvent, maxDeliveryID))
		return
	}
	var body []byte
	if sig == nil {
		// Authenticated by X-Gitlab-Token already.
		var ok bool
		if body, ok = readBody(d, r, h.cfg.MaxBody); !ok {
			return
		}
	} else {
		pending := h.budget.readPending(d, r, h.cfg.MaxBody)
		if pending == nil {
			return
		}
		if err := sig.verify(h.key, pending); err != nil {
			pending.release()
			d.reply(slog.LevelWarn, http.StatusUnauthorized, "signature rejected", logKeyReason, err.Error())
			return
		}
		body = pending.bytes()
		pending.release()
	}
	d.id = gitlabDeliveryID(r.Header, body)
	ev, err := NormalizeGitLab(d.event, d.id, body)
	// GitLab disables a hook after repeated failures: an authentic JSON
	// payload the bot cannot use is acknowledged (and logged), not failed.
	var pe *PayloadError
	if errors.As(err, &pe) && !pe.Malformed {
		err = &Ignored{Reason: "incomplete payload: " + pe.Err.Error(), Unusable: true}
	}
	dispatch(r.Context(), d, h.cfg.Enqueuer, ev, err)
}

// tokenEqual compares the configured token with the header in constant
// time; both are hashed first so that not even the length leaks.
func tokenEqual(want []byte, got string) bool {
	a := sha256.Sum256(want)
	b := sha256.Sum256([]byte(got))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// verifyStandardSignature checks a Standard Webhooks signature: the
// webhook-signature header holds one or more space-separated
// "v1,<base64>" entries; one must equal HMAC-SHA256(key,
// "{webhook-id}.{webhook-timestamp}.{body}").
func verifyStandardSignature(key []byte, h http.Header, body []byte, now time.Time) error {
	sh, err := parseStandardHeaders(h, now)
	if err != nil {
		return err
	}
	return sh.verify(key, &pendingBody{chunks: [][]byte{body}, n: int64(len(body))})
}

// standardHeaders are the parts of a Standard Webhooks signature the
// headers carry, checked before the body is read.
type standardHeaders struct {
	id, ts string
	sigs   [][]byte // the v1 signatures
}

// parseStandardHeaders checks that webhook-id, a webhook-timestamp within
// SignatureTolerance of now, and at least one well-formed v1 signature are
// present.
func parseStandardHeaders(h http.Header, now time.Time) (*standardHeaders, error) {
	id, ts, sigs := h.Get(headerWebhookID), h.Get(headerWebhookTimestamp), h.Get(headerWebhookSignature)
	if id == "" || ts == "" || sigs == "" {
		return nil, errors.New("missing webhook-id, webhook-timestamp or webhook-signature")
	}
	if len(id) > maxDeliveryID {
		return nil, fmt.Errorf("webhook-id longer than %d bytes", maxDeliveryID)
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, errors.New("webhook-timestamp is not Unix seconds")
	}
	// Compare in seconds: no overflow for any int64 timestamp.
	if d := now.Unix() - secs; d > int64(SignatureTolerance/time.Second) || d < -int64(SignatureTolerance/time.Second) {
		return nil, fmt.Errorf("webhook-timestamp %d is more than %v from now", secs, SignatureTolerance)
	}
	out := &standardHeaders{id: id, ts: ts}
	for _, s := range strings.Fields(sigs) {
		v, b64, ok := strings.Cut(s, ",")
		if !ok || v != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(got) != sha256.Size {
			continue
		}
		out.sigs = append(out.sigs, got)
	}
	if len(out.sigs) == 0 {
		return nil, errors.New("no v1 signature in webhook-signature")
	}
	return out, nil
}

// verify checks the body against the signatures.
func (sh *standardHeaders) verify(key []byte, body *pendingBody) error {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(sh.id + "." + sh.ts + "."))
	body.writeTo(mac)
	want := mac.Sum(nil)
	for _, got := range sh.sigs {
		if hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no v1 signature in webhook-signature matches the body")
}

// gitlabDeliveryID picks the dedupe key (see NewGitLab). body may be nil
// when only the headers are known yet.
func gitlabDeliveryID(h http.Header, body []byte) string {
	if v := h.Get(headerIdempotencyKey); v != "" {
		return v
	}
	if v := h.Get(headerWebhookID); v != "" {
		return v
	}
	// The webhook UUID alone may name the hook rather than the delivery:
	// pair it with the event UUID when both are sent.
	hook, event := h.Get(headerGitLabWebhookUUID), h.Get(headerGitLabEventUUID)
	switch {
	case hook != "" && event != "":
		return hook + "/" + event
	case hook != "":
		return hook
	case event != "":
		return event
	}
	if body == nil {
		return ""
	}
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// GitLab payload parts the bot reads.
type glProject struct {
	ID                int64  `json:"id"`
	PathWithNamespace string `json:"path_with_namespace"`
	GitHTTPURL        string `json:"git_http_url"`
	DefaultBranch     string `json:"default_branch"`
}

type glUser struct {
	Username string `json:"username"`
}

type glCommit struct {
	ID string `json:"id"`
}

type glMR struct {
	IID             int        `json:"iid"`
	Title           string     `json:"title"`
	Description     *string    `json:"description"`
	SourceBranch    string     `json:"source_branch"`
	TargetBranch    string     `json:"target_branch"`
	SourceProjectID int64      `json:"source_project_id"`
	TargetProjectID int64      `json:"target_project_id"`
	Source          *glProject `json:"source"`
	LastCommit      *glCommit  `json:"last_commit"`
	Draft           bool       `json:"draft"`
	WorkInProgress  bool       `json:"work_in_progress"`
	MergeCommitSHA  *string    `json:"merge_commit_sha"`
}

type glPayload struct {
	ObjectKind   string     `json:"object_kind"`
	Project      *glProject `json:"project"`
	ProjectID    int64      `json:"project_id"`
	User         *glUser    `json:"user"`
	UserUsername string     `json:"user_username"`

	// push, tag push
	Ref    string `json:"ref"`
	Before string `json:"before"`
	After  string `json:"after"`

	// merge request: object_attributes is the MR; note: it is the note
	// and merge_request the MR.
	ObjectAttributes json.RawMessage `json:"object_attributes"`
	MergeRequest     *glMR           `json:"merge_request"`
	Labels           []glLabel       `json:"labels"`
	// Changes of a merge request "update": the labels before and after.
	Changes struct {
		Labels *struct {
			Previous []glLabel `json:"previous"`
			Current  []glLabel `json:"current"`
		} `json:"labels"`
	} `json:"changes"`
}

type glLabel struct {
	Title string `json:"title"`
}

// removedLabels are the labels a merge request "update" took off.
func (p *glPayload) removedLabels() []string {
	l := p.Changes.Labels
	if l == nil {
		return nil
	}
	var out []string
	for _, prev := range l.Previous {
		if !slices.ContainsFunc(l.Current, func(c glLabel) bool { return c.Title == prev.Title }) {
			out = append(out, prev.Title)
		}
	}
	return out
}

type glMRAttrs struct {
	glMR
	Action string  `json:"action"`
	OldRev *string `json:"oldrev"`
}

type glNoteAttrs struct {
	ID           int64  `json:"id"`
	Note         string `json:"note"`
	NoteableType string `json:"noteable_type"`
	DiscussionID string `json:"discussion_id"`
	Action       string `json:"action"`
}

const zeroSHA = "0000000000000000000000000000000000000000"

// NormalizeGitLab turns a GitLab delivery (X-Gitlab-Event, delivery id,
// JSON payload) into a bot.Event. It returns an *Ignored error for events
// the bot does not act on and a *PayloadError for malformed or incomplete
// payloads.
func NormalizeGitLab(event, deliveryID string, payload []byte) (bot.Event, error) {
	return checkCommitIDs(event)(normalizeGitLab(event, deliveryID, payload))
}

func normalizeGitLab(event, deliveryID string, payload []byte) (bot.Event, error) {
	switch event {
	case "Merge Request Hook", "Note Hook", "Push Hook", "Tag Push Hook":
	default:
		return bot.Event{}, ignored("event %q", event)
	}
	var p glPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return bot.Event{}, &PayloadError{Event: event, Malformed: true, Err: fmt.Errorf("malformed JSON: %w", err)}
	}
	if p.Project == nil || p.Project.PathWithNamespace == "" {
		return bot.Event{}, badPayload(event, "no project.path_with_namespace")
	}
	ev := bot.Event{Forge: bot.ForgeGitLab, DeliveryID: deliveryID}
	ns, name, ok := cutLast(p.Project.PathWithNamespace, "/")
	if !ok || ns == "" || name == "" {
		return bot.Event{}, badPayload(event, "project path %q is not namespace/name", p.Project.PathWithNamespace)
	}
	ev.Repo = bot.Repo{Forge: bot.ForgeGitLab, Owner: ns, Name: name, ID: p.Project.ID}
	if ev.Repo.ID == 0 {
		ev.Repo.ID = p.ProjectID
	}
	ev.CloneURL = p.Project.GitHTTPURL
	ev.DefaultBranch = p.Project.DefaultBranch
	switch {
	case p.User != nil && p.User.Username != "":
		ev.Sender = p.User.Username
	default:
		ev.Sender = p.UserUsername
	}
	ev.SenderIsBot = glIsBot(ev.Sender)

	switch event {
	case "Merge Request Hook":
		return glMergeRequest(ev, &p)
	case "Note Hook":
		return glNote(ev, &p)
	default:
		return glPush(ev, &p, event)
	}
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return "", s, false
	}
	return s[:i], s[i+len(sep):], true
}

// glIsBot recognises GitLab's bot users: project and group access tokens
// act as "project_<id>_bot_<hex>" / "group_<id>_bot_<hex>" (older:
// "project_<id>_bot"). GitLab's payloads carry no bot flag.
func glIsBot(username string) bool {
	for _, prefix := range []string{"project_", "group_"} {
		rest, ok := strings.CutPrefix(username, prefix)
		if !ok {
			continue
		}
		digits, tail, ok := strings.Cut(rest, "_bot")
		if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
			continue
		}
		if tail == "" || (strings.HasPrefix(tail, "_") && len(tail) > 1) {
			return true
		}
	}
	return false
}

func glMergeRequest(ev bot.Event, p *glPayload) (bot.Event, error) {
	const event = "Merge Request Hook"
	if len(p.ObjectAttributes) == 0 {
		return ev, badPayload(event, "no object_attributes")
	}
	var a glMRAttrs
	if err := json.Unmarshal(p.ObjectAttributes, &a); err != nil {
		return ev, badPayload(event, "object_attributes: %w", err)
	}
	ev.Action = a.Action
	switch a.Action {
	case "open", "reopen":
		ev.Kind = bot.KindPullRequest
	case "update":
		switch removed := p.removedLabels(); {
		case a.OldRev != nil && *a.OldRev != "":
			ev.Kind = bot.KindPullRequest
		case len(removed) > 0:
			// GitLab has no "unlabeled" action: an update whose changes
			// take labels off. Label is the first; the request's labels
			// are those left.
			ev.Kind, ev.Label = bot.KindPullRequestUnlabeled, removed[0]
		default:
			return ev, ignored("merge request update without new commits")
		}
	case "close", "merge":
		ev.Kind = bot.KindPullRequestClosed
	default:
		return ev, ignored("merge request action %q", a.Action)
	}
	pr, err := glPull(&a.glMR, event)
	if err != nil {
		return ev, err
	}
	if a.Action == "open" {
		pr.Author = ev.Sender
	}
	if a.Action == "merge" {
		pr.Merged = true
		if a.MergeCommitSHA != nil {
			pr.MergeSHA = *a.MergeCommitSHA
		}
	}
	for _, l := range p.Labels {
		pr.Labels = append(pr.Labels, l.Title)
	}
	ev.PullRequest = pr
	return ev, nil
}

// glPull maps the merge request parts common to MR and note payloads.
func glPull(mr *glMR, event string) (*bot.PullRequest, error) {
	if mr.IID <= 0 || mr.LastCommit == nil || mr.LastCommit.ID == "" || mr.TargetBranch == "" {
		return nil, badPayload(event, "merge request lacks iid, last_commit.id or target_branch")
	}
	pr := &bot.PullRequest{
		Number:  mr.IID,
		Title:   mr.Title,
		HeadSHA: mr.LastCommit.ID,
		HeadRef: mr.SourceBranch,
		BaseRef: mr.TargetBranch,
		Draft:   mr.Draft || mr.WorkInProgress,
		Fork:    mr.SourceProjectID != mr.TargetProjectID,
	}
	if mr.Description != nil {
		pr.Body = *mr.Description
	}
	if mr.Source != nil {
		pr.HeadRepo = mr.Source.PathWithNamespace
	}
	return pr, nil
}

func glNote(ev bot.Event, p *glPayload) (bot.Event, error) {
	const event = "Note Hook"
	if len(p.ObjectAttributes) == 0 {
		return ev, badPayload(event, "no object_attributes")
	}
	var a glNoteAttrs
	if err := json.Unmarshal(p.ObjectAttributes, &a); err != nil {
		return ev, badPayload(event, "object_attributes: %w", err)
	}
	if a.NoteableType != "MergeRequest" {
		return ev, ignored("note on a %q, not a merge request", a.NoteableType)
	}
	if a.Action != "" && a.Action != "create" {
		return ev, ignored("note action %q", a.Action)
	}
	if p.MergeRequest == nil {
		return ev, badPayload(event, "note on a merge request without merge_request")
	}
	pr, err := glPull(p.MergeRequest, event)
	if err != nil {
		return ev, err
	}
	ev.Kind = bot.KindComment
	ev.Action = a.Action
	ev.PullRequest = pr
	ev.Comment = &bot.Comment{
		ID: a.ID, Body: a.Note, Author: ev.Sender, AuthorIsBot: ev.SenderIsBot,
		DiscussionID: a.DiscussionID,
	}
	return ev, nil
}

func glPush(ev bot.Event, p *glPayload, event string) (bot.Event, error) {
	if p.Ref == "" || p.After == "" {
		return ev, badPayload(event, "push lacks ref or after")
	}
	if p.After == zeroSHA {
		return ev, ignored("push deleting %s", p.Ref)
	}
	ev.Kind = bot.KindPush
	if event == "Tag Push Hook" {
		ev.Kind = bot.KindTagPush
	}
	ev.Push = &bot.Push{Ref: p.Ref, Before: p.Before, After: p.After}
	return ev, nil
}
