// Package archtest holds the tests that keep docs/architecture.md true: its
// package table names exactly the packages `go list ./...` lists, and
// checks/ (the engine) imports nothing of the module outside checks/, and
// the bot root imports only the standard library. It also holds the
// complexity rule: no function of the module above cognitive complexity 40
// (gocognit's measure) outside a short table of exceptions, each with its
// reason.
package archtest
