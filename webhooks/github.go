package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/mpgate/mpgate/bot"
)

// GitHubConfig configures the GitHub handler.
type GitHubConfig struct {
	// Secret is the webhook secret. Without one every delivery is refused
	// with 503: unsigned deliveries are never accepted.
	Secret   []byte
	Enqueuer Enqueuer
	// Logger receives one line per delivery (nil: discard).
	Logger *slog.Logger
	// MaxBody caps the body in bytes (0: DefaultMaxBody).
	MaxBody int64
	// MaxPending caps the bytes of bodies held at once before their
	// signature is checked (0: DefaultMaxPending; never below MaxBody).
	MaxPending int64
}

// GitHub delivery headers.
const (
	headerGitHubEvent     = "X-GitHub-Event"
	headerGitHubDelivery  = "X-GitHub-Delivery"
	headerGitHubSignature = "X-Hub-Signature-256"
)

type githubHandler struct {
	cfg    GitHubConfig
	budget *bodyBudget
}

// NewGitHub returns the handler for GitHub deliveries: POST only; a
// request without a well-formed X-Hub-Signature-256, event or delivery
// header is refused before its body is read; the body is then read within
// the budget of unauthenticated bodies (MaxPending) and its HMAC-SHA256
// checked in constant time before anything is parsed; ping answers "pong";
// the events the bot acts on are normalised (NormalizeGitHub) and enqueued.
func NewGitHub(cfg GitHubConfig) http.Handler {
	cfg.Logger = loggerOr(cfg.Logger)
	cfg.MaxBody = maxOr(cfg.MaxBody)
	return &githubHandler{cfg: cfg, budget: newBodyBudget(cfg.MaxPending, cfg.MaxBody)}
}

func (h *githubHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d := &delivery{
		w: w, log: h.cfg.Logger, forge: bot.ForgeGitHub,
		id:    r.Header.Get(headerGitHubDelivery),
		event: r.Header.Get(headerGitHubEvent),
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		d.reply(slog.LevelWarn, http.StatusMethodNotAllowed, "method not allowed: "+r.Method)
		return
	}
	if len(h.cfg.Secret) == 0 {
		d.reply(slog.LevelError, http.StatusServiceUnavailable,
			"no GitHub webhook secret configured: refusing every delivery (set the secret)")
		return
	}
	// Everything the headers alone can refuse is refused before a byte of
	// the body is read.
	sig, err := parseGitHubSignature(r.Header.Get(headerGitHubSignature))
	if err != nil {
		d.reply(slog.LevelWarn, http.StatusUnauthorized, "signature rejected", logKeyReason, err.Error())
		return
	}
	if d.event == "" {
		d.reply(slog.LevelWarn, http.StatusBadRequest, "missing "+headerGitHubEvent+" header")
		return
	}
	if d.id == "" {
		d.reply(slog.LevelWarn, http.StatusBadRequest, "missing "+headerGitHubDelivery+" header")
		return
	}
	if !headerValueOK(d.id) || !headerValueOK(d.event) {
		d.id, d.event = truncate(d.id), truncate(d.event)
		d.reply(slog.LevelWarn, http.StatusBadRequest,
			fmt.Sprintf("%s or %s longer than %d bytes", headerGitHubDelivery, headerGitHubEvent, maxDeliveryID))
		return
	}
	pending := h.budget.readPending(d, r, h.cfg.MaxBody)
	if pending == nil {
		return
	}
	mac := hmac.New(sha256.New, h.cfg.Secret)
	pending.writeTo(mac)
	if !hmac.Equal(sig, mac.Sum(nil)) {
		pending.release()
		d.reply(slog.LevelWarn, http.StatusUnauthorized, "signature rejected", logKeyReason, headerGitHubSignature+" does not match the body")
		return
	}
	body := pending.bytes()
	pending.release()
	if d.event == "ping" {
		d.reply(slog.LevelInfo, http.StatusOK, "pong")
		return
	}
	payload, err := githubPayload(r.Header.Get("Content-Type"), body)
	if err != nil {
		d.reply(slog.LevelWarn, http.StatusBadRequest, "bad payload: "+err.Error())
		return
	}
	ev, err := NormalizeGitHub(d.event, d.id, payload)
	dispatch(r.Context(), d, h.cfg.Enqueuer, ev, err)
}

// verifyGitHubSignature checks "sha256=<hex>" against the body's
// HMAC-SHA256 under secret. The error never holds the signature.
func verifyGitHubSignature(secret, body []byte, header string) error {
	got, err := parseGitHubSignature(header)
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return fmt.Errorf("%s does not match the body", headerGitHubSignature)
	}
	return nil
}

// parseGitHubSignature decodes "sha256=<64 hex digits>". The error never
// holds the signature.
func parseGitHubSignature(header string) ([]byte, error) {
	if header == "" {
		return nil, fmt.Errorf("missing %s header", headerGitHubSignature)
	}
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return nil, fmt.Errorf("%s is not sha256=<hex>", headerGitHubSignature)
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return nil, fmt.Errorf("%s is not a hex SHA-256 digest", headerGitHubSignature)
	}
	return got, nil
}

// githubPayload returns the JSON of a delivery: the body itself, or the
// payload field of a form-encoded delivery (a hook may be set to send
// application/x-www-form-urlencoded).
func githubPayload(contentType string, body []byte) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return body, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("form-encoded body: %w", err)
	}
	p := form.Get("payload")
	if p == "" {
		return nil, fmt.Errorf("form-encoded body has no payload field")
	}
	return []byte(p), nil
}

// GitHub payload parts the bot reads; everything else is skipped.
type ghUser struct {
	Login string `json:"login"`
	Type  string `json:"type"`
}

type ghRepo struct {
	ID            int64   `json:"id"`
	Name          string  `json:"name"`
	FullName      string  `json:"full_name"`
	Owner         *ghUser `json:"owner"`
	CloneURL      string  `json:"clone_url"`
	DefaultBranch string  `json:"default_branch"`
}

type ghRef struct {
	Ref  string  `json:"ref"`
	SHA  string  `json:"sha"`
	Repo *ghRepo `json:"repo"`
}

type ghPull struct {
	Number         int     `json:"number"`
	Title          string  `json:"title"`
	Body           *string `json:"body"`
	Draft          bool    `json:"draft"`
	Merged         bool    `json:"merged"`
	MergeCommitSHA *string `json:"merge_commit_sha"`
	User           *ghUser `json:"user"`
	Labels         []struct {
		Name string `json:"name"`
	} `json:"labels"`
	Head ghRef `json:"head"`
	Base ghRef `json:"base"`
}

type ghCheckPull struct {
	Number int `json:"number"`
}

type ghPayload struct {
	Action string `json:"action"`
	// Label is the label added or removed (pull_request labeled/unlabeled).
	Label *struct {
		Name string `json:"name"`
	} `json:"label"`
	Repository   *ghRepo `json:"repository"`
	Sender       *ghUser `json:"sender"`
	Installation *struct {
		ID int64 `json:"id"`
	} `json:"installation"`
	PullRequest *ghPull `json:"pull_request"`

	// push
	Ref     string `json:"ref"`
	Before  string `json:"before"`
	After   string `json:"after"`
	Deleted bool   `json:"deleted"`

	// issue_comment
	Issue *struct {
		Number      int             `json:"number"`
		Title       string          `json:"title"`
		User        *ghUser         `json:"user"`
		PullRequest json.RawMessage `json:"pull_request"`
	} `json:"issue"`
	Comment *struct {
		ID   int64   `json:"id"`
		Body string  `json:"body"`
		User *ghUser `json:"user"`
	} `json:"comment"`

	// check_run, check_suite
	CheckRun *struct {
		ID         int64  `json:"id"`
		HeadSHA    string `json:"head_sha"`
		CheckSuite *struct {
			ID int64 `json:"id"`
		} `json:"check_suite"`
		Pulls []ghCheckPull `json:"pull_requests"`
	} `json:"check_run"`
	CheckSuite *struct {
		ID      int64         `json:"id"`
		HeadSHA string        `json:"head_sha"`
		Pulls   []ghCheckPull `json:"pull_requests"`
	} `json:"check_suite"`
	RequestedAction *struct {
		Identifier string `json:"identifier"`
	} `json:"requested_action"`
}

// NormalizeGitHub turns a GitHub delivery (event name from X-GitHub-Event,
// delivery id, JSON payload) into a bot.Event. It returns an *Ignored error
// for events and actions the bot does not act on and a *PayloadError for
// malformed or incomplete payloads.
func NormalizeGitHub(event, deliveryID string, payload []byte) (bot.Event, error) {
	return checkCommitIDs(event)(normalizeGitHub(event, deliveryID, payload))
}

func normalizeGitHub(event, deliveryID string, payload []byte) (bot.Event, error) {
	switch event {
	case "pull_request", "push", "issue_comment", "check_run", "check_suite":
	case "ping":
		return bot.Event{Forge: bot.ForgeGitHub, DeliveryID: deliveryID, Kind: bot.KindPing}, nil
	default:
		return bot.Event{}, ignored("event %q", event)
	}
	var p ghPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return bot.Event{}, &PayloadError{Event: event, Malformed: true, Err: fmt.Errorf("malformed JSON: %w", err)}
	}
	ev := bot.Event{Forge: bot.ForgeGitHub, DeliveryID: deliveryID, Action: p.Action}
	if p.Repository == nil {
		return bot.Event{}, badPayload(event, "no repository")
	}
	ev.Repo = ghRepoOf(p.Repository)
	if ev.Repo.Owner == "" || ev.Repo.Name == "" {
		return bot.Event{}, badPayload(event, "repository has no owner/name")
	}
	ev.CloneURL = p.Repository.CloneURL
	ev.DefaultBranch = p.Repository.DefaultBranch
	if p.Installation != nil {
		ev.InstallationID = p.Installation.ID
	}
	if p.Sender != nil {
		ev.Sender, ev.SenderIsBot = p.Sender.Login, ghIsBot(p.Sender)
	}

	switch event {
	case "pull_request":
		return ghPullRequest(ev, &p)
	case "push":
		return ghPush(ev, &p)
	case "issue_comment":
		return ghComment(ev, &p)
	case "check_run":
		return ghCheckRun(ev, &p)
	default: // check_suite
		return ghCheckSuite(ev, &p)
	}
}

func ghRepoOf(r *ghRepo) bot.Repo {
	repo := bot.Repo{Forge: bot.ForgeGitHub, Name: r.Name}
	if r.Owner != nil {
		repo.Owner = r.Owner.Login
	}
	if owner, name, ok := strings.Cut(r.FullName, "/"); ok {
		if repo.Owner == "" {
			repo.Owner = owner
		}
		if repo.Name == "" {
			repo.Name = name
		}
	}
	return repo
}

func ghIsBot(u *ghUser) bool {
	return u != nil && (u.Type == "Bot" || strings.HasSuffix(u.Login, "[bot]"))
}

func ghPullRequest(ev bot.Event, p *ghPayload) (bot.Event, error) {
	switch p.Action {
	case "opened", "synchronize", "reopened", "ready_for_review":
		ev.Kind = bot.KindPullRequest
	case "closed":
		ev.Kind = bot.KindPullRequestClosed
	case "unlabeled":
		// The bot forgets an /ok-to-build whose label was removed.
		if p.Label == nil || p.Label.Name == "" {
			return ev, badPayload("pull_request", "unlabeled without label.name")
		}
		ev.Kind, ev.Label = bot.KindPullRequestUnlabeled, p.Label.Name
	default:
		return ev, ignored("pull_request action %q", p.Action)
	}
	pr := p.PullRequest
	if pr == nil {
		return ev, badPayload("pull_request", "no pull_request")
	}
	if pr.Number <= 0 || pr.Head.SHA == "" || pr.Base.Ref == "" {
		return ev, badPayload("pull_request", "pull_request lacks number, head.sha or base.ref")
	}
	out := &bot.PullRequest{
		Number:  pr.Number,
		Title:   pr.Title,
		HeadSHA: pr.Head.SHA,
		HeadRef: pr.Head.Ref,
		BaseRef: pr.Base.Ref,
		BaseSHA: pr.Base.SHA,
		Draft:   pr.Draft,
		Merged:  pr.Merged,
	}
	if pr.Body != nil {
		out.Body = *pr.Body
	}
	if pr.User != nil {
		out.Author = pr.User.Login
	}
	for _, l := range pr.Labels {
		out.Labels = append(out.Labels, l.Name)
	}
	baseRepo := ev.Repo.FullName()
	if pr.Base.Repo != nil && pr.Base.Repo.FullName != "" {
		baseRepo = pr.Base.Repo.FullName
	}
	// A deleted fork leaves head.repo null: treat it as a fork.
	if pr.Head.Repo != nil {
		out.HeadRepo = pr.Head.Repo.FullName
	}
	out.Fork = pr.Head.Repo == nil || !strings.EqualFold(out.HeadRepo, baseRepo)
	if pr.Merged && pr.MergeCommitSHA != nil {
		out.MergeSHA = *pr.MergeCommitSHA
	}
	ev.PullRequest = out
	return ev, nil
}

func ghPush(ev bot.Event, p *ghPayload) (bot.Event, error) {
	if p.Ref == "" || p.After == "" {
		return ev, badPayload("push", "push lacks ref or after")
	}
	if p.Deleted {
		return ev, ignored("push deleting %s", p.Ref)
	}
	ev.Kind = bot.KindPush
	if strings.HasPrefix(p.Ref, "refs/tags/") {
		ev.Kind = bot.KindTagPush
	}
	ev.Push = &bot.Push{Ref: p.Ref, Before: p.Before, After: p.After}
	return ev, nil
}

func ghComment(ev bot.Event, p *ghPayload) (bot.Event, error) {
	if p.Action != "created" {
		return ev, ignored("issue_comment action %q", p.Action)
	}
	if p.Issue == nil || p.Comment == nil {
		return ev, badPayload("issue_comment", "no issue or comment")
	}
	if len(p.Issue.PullRequest) == 0 || string(p.Issue.PullRequest) == "null" {
		return ev, ignored("comment on an issue, not a pull request")
	}
	ev.Kind = bot.KindComment
	// The comment payload names the pull request but not its head: the
	// consumer fetches the pull request for HeadSHA and refs.
	ev.PullRequest = &bot.PullRequest{Number: p.Issue.Number, Title: p.Issue.Title}
	if p.Issue.User != nil {
		ev.PullRequest.Author = p.Issue.User.Login
	}
	c := &bot.Comment{ID: p.Comment.ID, Body: p.Comment.Body}
	if p.Comment.User != nil {
		c.Author, c.AuthorIsBot = p.Comment.User.Login, ghIsBot(p.Comment.User)
	}
	ev.Comment = c
	return ev, nil
}

func ghCheckRun(ev bot.Event, p *ghPayload) (bot.Event, error) {
	switch p.Action {
	case "rerequested":
		ev.Kind = bot.KindRerun
	case "requested_action":
		ev.Kind = bot.KindRequestedAction
	default:
		return ev, ignored("check_run action %q", p.Action)
	}
	cr := p.CheckRun
	if cr == nil || cr.HeadSHA == "" {
		return ev, badPayload("check_run", "no check_run or head_sha")
	}
	c := &bot.Check{RunID: cr.ID, HeadSHA: cr.HeadSHA, PRNumbers: ghNumbers(cr.Pulls)}
	if cr.CheckSuite != nil {
		c.SuiteID = cr.CheckSuite.ID
	}
	if ev.Kind == bot.KindRequestedAction {
		if p.RequestedAction == nil || p.RequestedAction.Identifier == "" {
			return ev, badPayload("check_run", "requested_action without identifier")
		}
		c.ActionID = p.RequestedAction.Identifier
	}
	ev.Check = c
	return ev, nil
}

func ghCheckSuite(ev bot.Event, p *ghPayload) (bot.Event, error) {
	if p.Action != "rerequested" {
		return ev, ignored("check_suite action %q", p.Action)
	}
	cs := p.CheckSuite
	if cs == nil || cs.HeadSHA == "" {
		return ev, badPayload("check_suite", "no check_suite or head_sha")
	}
	ev.Kind = bot.KindRerun
	ev.Check = &bot.Check{SuiteID: cs.ID, HeadSHA: cs.HeadSHA, PRNumbers: ghNumbers(cs.Pulls)}
	return ev, nil
}

func ghNumbers(pulls []ghCheckPull) []int {
	var out []int
	for _, p := range pulls {
		if p.Number > 0 {
			out = append(out, p.Number)
		}
	}
	return out
}
