// Package worker is the bot's orchestrator: the durable queue's workers call
// Worker.HandleEvent for each webhook delivery and Worker.HandleEvaluation
// for each evaluation job. It turns them into evaluations, check runs,
// sticky comments, stored baselines and releases. One file per
// responsibility:
//
//   - worker.go: Config, New, the dispatch of an event by kind, the mirror
//   - trust.go: the repository's config, who may be built, queueing an evaluation
//   - evaluate.go: an evaluation job: worktree, gate.Run, stored reports, the result
//   - checkruns.go: check runs shown, superseded, concluded, recovered after a crash
//   - publish.go: the evaluation's publish.Target (the check runs and the
//     sticky comment of one head) and the server's publish.Options
//   - commands.go: comment commands, in stages: parse, authorize (access,
//     projects), plan (pure: what each command does, which evaluation),
//     apply; recheck.go: /recheck's and approvals' options
//   - checkevents.go: "Re-run" and the check run's buttons
//   - closed.go: a closed request: evaluations forgotten, runs concluded, worktrees swept
//   - push.go: pushes to the default branch: baselines
//   - release.go: /changelog and /release; release_push.go: the release on push
//
// It declares the ports it consumes (ports.go): the forge's (a check-run
// writer, a commenter, a pull reader, an access checker, a repo reader, a
// labeler, a releaser; all required, none found by type assertion), the store's (check runs, reports, approvals, installations,
// latest heads) and the queue's. The adapters (bot/github, bot/gitlab,
// bot/store, bot/queue) import only the bot root; adapters_test.go checks
// that they satisfy these ports.
package worker
