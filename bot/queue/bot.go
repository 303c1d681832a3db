package queue

import (
	"context"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/bot/store"
)

// ForBot adapts the queue to the worker's port (bot/worker): evaluations
// queued and forgotten by repository and request. The repository's identity
// is recorded in the store on the way.
func (q *Queue) ForBot() BotQueue { return BotQueue{q: q} }

// BotQueue is the queue in the bot's types.
type BotQueue struct{ q *Queue }

func (b BotQueue) EnqueueEvaluation(ctx context.Context, repo bot.Repo, number int, headSHA string, payload []byte) (bool, error) {
	if err := b.q.store.PutRepo(ctx, repo); err != nil {
		return false, err
	}
	return b.q.EnqueueEvaluation(ctx, PRKey{Repo: store.RepoKey(repo), Number: number}, headSHA, payload)
}

// ForgetEvaluation forgets a closed pull request: its pending evaluation is
// cancelled and a running one stops at its next check.
func (b BotQueue) ForgetEvaluation(ctx context.Context, repo bot.Repo, number int) error {
	return b.q.Forget(ctx, PRKey{Repo: store.RepoKey(repo), Number: number})
}

// BotHandler is the handler as *worker.Worker declares it.
type BotHandler interface {
	HandleEvent(ctx context.Context, ev bot.Event) error
	HandleEvaluation(ctx context.Context, headSHA string, payload []byte, jobID int64, attempt int) error
}

// HandlerFor adapts a BotHandler to Handler.
func HandlerFor(b BotHandler) Handler { return botHandler{b: b} }

type botHandler struct{ b BotHandler }

func (h botHandler) HandleEvent(ctx context.Context, ev bot.Event) error {
	return h.b.HandleEvent(ctx, ev)
}

func (h botHandler) HandleEvaluation(ctx context.Context, ev Evaluation) error {
	return h.b.HandleEvaluation(ctx, ev.HeadSHA, ev.Payload, ev.JobID, ev.Attempt)
}

// MaxAttempts is the attempt limit in force (worker.Config.MaxAttempts).
func (q *Queue) MaxAttempts() int { return q.cfg.MaxAttempts }
