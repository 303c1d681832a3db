package worker_test

import (
	"github.com/mpgate/mpgate/bot/github"
	"github.com/mpgate/mpgate/bot/gitlab"
	"github.com/mpgate/mpgate/bot/queue"
	"github.com/mpgate/mpgate/bot/store"
	"github.com/mpgate/mpgate/bot/worker"
)

// The adapters satisfy the worker's ports; the adapters import only the
// bot root, so the checks are made here.
var (
	_ worker.Forge               = (*github.Forge)(nil)
	_ worker.Forge               = (*gitlab.Forge)(nil)
	_ worker.Labeler             = (*github.Forge)(nil)
	_ worker.Store               = store.BotStore{}
	_ worker.HeadStore           = store.BotStore{}
	_ worker.EvaluationQueue     = queue.BotQueue{}
	_ worker.EvaluationForgetter = queue.BotQueue{}
	_ queue.BotHandler           = (*worker.Worker)(nil)
)
