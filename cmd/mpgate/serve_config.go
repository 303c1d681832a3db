package main

import (
	"context"
	"errors"
	"flag"

	"github.com/mpgate/mpgate/bot"
	"github.com/mpgate/mpgate/internal/serverconfig"
	"github.com/mpgate/mpgate/webhooks"
)

// applyServeConfig reads the server config file of --config (or
// MPGATE_CONFIG) into the flags that neither the command line nor the
// environment set (explicit), and keeps its repository allowlist.
func applyServeConfig(fs *flag.FlagSet, f *serveFlags, explicit map[string]bool) error {
	if f.config == "" {
		return nil
	}
	cfg, err := serverconfig.Load(f.config)
	if err != nil {
		if errors.Is(err, serverconfig.ErrInvalid) {
			return usageError("serve: the server config is invalid:\n%v", err)
		}
		return usageError("serve: --config: %v", err)
	}
	for name, v := range cfg.Settings {
		if explicit[name] {
			continue
		}
		fl := fs.Lookup(name)
		if fl == nil {
			return usageError("serve: %s:%d: no flag %s for this setting", cfg.File, cfg.Lines[name], name)
		}
		if err := fl.Value.Set(v); err != nil {
			return usageError("serve: %s:%d: %v", cfg.File, cfg.Lines[name], err)
		}
	}
	f.repos = cfg.Repositories
	return nil
}

// allowedRepos queues only the events of repositories the server config
// allows; another repository's delivery is answered 202 "ignored" (and
// logged by the webhook handler), never queued, never built.
type allowedRepos struct {
	next  webhooks.Enqueuer
	allow *serverconfig.Allowlist
}

func (a allowedRepos) Enqueue(ctx context.Context, ev bot.Event) (bool, error) {
	if err := a.allow.Check(ev.Forge, ev.Repo.FullName()); err != nil {
		return false, &webhooks.Ignored{Reason: err.Error()}
	}
	return a.next.Enqueue(ctx, ev)
}
