package serverconfig

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
)

const full = `# every key
addr: 0.0.0.0:8080
data_dir: /var/lib/mpgate
database_url: postgres://mpgate@db:5432/mpgate?sslmode=require
shutdown_timeout: 2m
github:
  app_id: 123456
  private_key_file: /run/secrets/mpgate.pem
  webhook_secret_file: /run/secrets/github-webhook
  api_url: https://github.example.com/api/v3/
  app_slug: acme-mpgate
  oauth_client_id: Iv1.0123abcd
  oauth_client_secret_file: /run/secrets/github-oauth
gitlab:
  url: https://gitlab.example.com
  token_file: /run/secrets/gitlab-token
  webhook_secret_file: /run/secrets/gitlab-webhook
  webhook_signing_token_file: /run/secrets/gitlab-signing
  oauth_client_id: 9f2c
  oauth_client_secret_file: /run/secrets/gitlab-oauth
pages:
  public_url: https://mpgate.example.com
  session_key_file: /run/secrets/pages-key
queue:
  event_workers: 16
  max_attempts: 5
  job_lease: 30s
builds:
  concurrency: 4
  timeout: 20m
  memory: 2GiB
  processes: 512
  disk: 0
  network: none
  sandbox: container
  image: node:22-bookworm
  runtime: podman
repositories:
  github: [acme/*, Other/Repo]
  gitlab:
    - platform/web/shop
    - mobile/*
`

func TestParseFull(t *testing.T) {
	cfg, err := Parse([]byte(full), "server.yml")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"addr": "0.0.0.0:8080", "data-dir": "/var/lib/mpgate", "database-url": "postgres://mpgate@db:5432/mpgate?sslmode=require",
		"shutdown-timeout": "2m", "github-app-id": "123456", "github-private-key-file": "/run/secrets/mpgate.pem",
		"github-webhook-secret-file": "/run/secrets/github-webhook", "github-api-url": "https://github.example.com/api/v3/",
		"github-app-slug": "acme-mpgate", "gitlab-url": "https://gitlab.example.com", "gitlab-token-file": "/run/secrets/gitlab-token",
		"gitlab-webhook-secret-file": "/run/secrets/gitlab-webhook", "gitlab-webhook-signing-token-file": "/run/secrets/gitlab-signing",
		"github-oauth-client-id": "Iv1.0123abcd", "github-oauth-client-secret-file": "/run/secrets/github-oauth",
		"gitlab-oauth-client-id": "9f2c", "gitlab-oauth-client-secret-file": "/run/secrets/gitlab-oauth",
		"public-url": "https://mpgate.example.com", "pages-session-key-file": "/run/secrets/pages-key",
		"event-workers": "16", "max-attempts": "5", "job-lease": "30s",
		"workers": "4", "job-timeout": "20m", "build-memory": "2GiB", "build-processes": "512", "build-disk": "0", "build-network": "none",
		"build-sandbox": "container", "build-image": "node:22-bookworm", "build-runtime": "podman",
	}
	if !maps.Equal(cfg.Settings, want) {
		t.Errorf("settings\n got %v\nwant %v", cfg.Settings, want)
	}
	if len(want) != len(Keys) {
		t.Errorf("the full example sets %d of %d keys", len(want), len(Keys))
	}
	if cfg.Lines["build-memory"] != 31 {
		t.Errorf("builds.memory at line %d, want 31", cfg.Lines["build-memory"])
	}
	if got := cfg.Repositories.String(); got != "github: acme/*, other/repo; gitlab: platform/web/shop, mobile/*" {
		t.Errorf("allowlist %s", got)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, doc := range []string{"", "# nothing\n", "---\n", "~\n"} {
		cfg, err := Parse([]byte(doc), "server.yml")
		if err != nil || len(cfg.Settings) != 0 || cfg.Repositories != nil {
			t.Errorf("%q: %v, %+v", doc, err, cfg)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string // the messages, in line order
	}{
		{"unknown key", "adr: :8080\n", []string{
			`server.yml:1: unknown key "adr" at the top level; valid keys: addr, data_dir, database_url, shutdown_timeout, github, gitlab, pages, queue, builds, repositories`}},
		{"unknown key in a section", "builds:\n  concurency: 4\n  memory: 2GiB\n", []string{
			`server.yml:2: unknown key "concurency" in builds; valid keys: concurrency, timeout, memory, processes, disk, network, sandbox, image, runtime`}},
		{"several, in line order", "builds:\n  memory: lots\n  network: some\nqueue:\n  retries: 3\n", []string{
			`server.yml:2: builds.memory "lots": want a size (512MiB, 4GiB; 0: no limit)`,
			`server.yml:3: builds.network "some": want none, install or all`,
			`server.yml:5: unknown key "retries" in queue; valid keys: event_workers, max_attempts, job_lease`}},
		{"sandbox", "builds:\n  sandbox: docker\n", []string{`server.yml:2: builds.sandbox "docker": want auto, bwrap or container`}},
		{"twice", "addr: :1\naddr: :2\n", []string{`server.yml:2: "addr" given twice at the top level (first at line 1)`}},
		{"section not a mapping", "builds: 4\n", []string{
			`server.yml:1: builds is "4"; want a mapping of concurrency, timeout, memory, processes, disk, network, sandbox, image, runtime`}},
		{"top level not a mapping", "- addr\n", []string{`server.yml:1: the server config is a list; want a mapping of addr,`}},
		{"setting not a scalar", "builds:\n  timeout: [1m]\n", []string{`server.yml:2: builds.timeout is a list; want a duration (90s, 30m, 1h)`}},
		{"empty setting", "builds:\n  timeout:\n", []string{`server.yml:2: builds.timeout is empty; want a duration`}},
		{"count", "builds:\n  concurrency: 0\n", []string{`server.yml:2: builds.concurrency "0": want a whole number, at least 1`}},
		{"processes", "builds:\n  processes: -1\n", []string{`server.yml:2: builds.processes "-1": want a whole number, at least 0`}},
		{"app id", "github:\n  app_id: acme\n", []string{`server.yml:2: github.app_id "acme": want a whole number, at least 1`}},
		{"duration", "queue:\n  job_lease: 20\n", []string{`server.yml:2: queue.job_lease "20": want a duration`}},
		{"url", "gitlab:\n  url: gitlab.example.com\n", []string{`server.yml:2: gitlab.url "gitlab.example.com": not a URL with a scheme and a host`}},
		{"repositories not lists", "repositories:\n  github: acme/*\n", []string{
			`server.yml:2: repositories.github is "acme/*"; want a list of OWNER/NAME or OWNER/*`}},
		{"repositories unknown forge", "repositories:\n  bitbucket: [a/b]\n", []string{
			`server.yml:2: unknown key "bitbucket" in repositories; valid keys: github, gitlab`}},
		{"github pattern", "repositories:\n  github:\n    - acme\n    - acme/shop/web\n    - acme/sh*p\n    - /shop\n", []string{
			`server.yml:3: repositories.github[0] "acme": no owner; want OWNER/NAME or OWNER/*`,
			`server.yml:4: repositories.github[1] "acme/shop/web": a GitHub repository is OWNER/NAME; want OWNER/NAME or OWNER/*`,
			`server.yml:5: repositories.github[2] "acme/sh*p": only a whole last part may be *; want OWNER/NAME or OWNER/*`,
			`server.yml:6: repositories.github[3] "/shop": an empty part; want OWNER/NAME or OWNER/*`}},
		{"gitlab pattern", "repositories:\n  gitlab: [group/*/web, '']\n", []string{
			`server.yml:2: repositories.gitlab[0] "group/*/web": only a whole last part may be *; want GROUP/PROJECT (subgroups: GROUP/SUB/PROJECT) or GROUP/*`,
			`server.yml:2: repositories.gitlab[1] "": no owner; want GROUP/PROJECT`}},
		{"yaml", "builds:\n  memory: [\n", []string{`server.yml:2: invalid YAML: did not find expected node content`}},
		{"two documents", "addr: :1\n---\naddr: :2\n", []string{`server.yml:2: a second YAML document; the server config is one document`}},
		{"a .mpgate.yml by mistake", "projects:\n  - root: dist\n", []string{`server.yml:1: unknown key "projects" at the top level`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tt.doc), "server.yml")
			if err == nil {
				t.Fatalf("no error; settings %v", cfg.Settings)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%v is not ErrInvalid", err)
			}
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("%T is not Errors", err)
			}
			if len(es) != len(tt.want) {
				t.Fatalf("%d errors, want %d:\n%v", len(es), len(tt.want), err)
			}
			for i, e := range es {
				if !strings.HasPrefix(e.Error(), tt.want[i]) {
					t.Errorf("error %d\n got %s\nwant %s…", i, e, tt.want[i])
				}
			}
		})
	}
}

func TestAllowlist(t *testing.T) {
	cfg, err := Parse([]byte("repositories:\n  github: [acme/*, Other/Repo]\n  gitlab: [platform/web/shop, mobile/*]\n"), "server.yml")
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Repositories
	tests := []struct {
		forge, repo string
		ok          bool
	}{
		{ForgeGitHub, "acme/shop", true},
		{ForgeGitHub, "ACME/Shop", true},
		{ForgeGitHub, "other/repo", true},
		{ForgeGitHub, "other/repo2", false},
		{ForgeGitHub, "acmeinc/shop", false}, // acme/* is not a prefix of the owner
		{ForgeGitHub, "acme/", false},
		{ForgeGitHub, "", false},
		{ForgeGitHub, "mobile/app", false}, // a GitLab pattern
		{ForgeGitLab, "platform/web/shop", true},
		{ForgeGitLab, "platform/web/shop2", false},
		{ForgeGitLab, "platform/shop", false},
		{ForgeGitLab, "mobile/app", true},
		{ForgeGitLab, "mobile/ios/app", true}, // subgroups of the group
		{ForgeGitLab, "mobileapps/app", false},
		{ForgeGitLab, "acme/shop", false}, // a GitHub pattern
		{"bitbucket", "acme/shop", false},
	}
	for _, tt := range tests {
		err := a.Check(tt.forge, tt.repo)
		if (err == nil) != tt.ok {
			t.Errorf("%s %s: %v, want allowed %v", tt.forge, tt.repo, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrNotAllowed) {
			t.Errorf("%v is not ErrNotAllowed", err)
		}
	}
	// Only GitHub listed: GitLab serves nothing.
	cfg, err = Parse([]byte("repositories:\n  github: [acme/shop]\n"), "server.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Repositories.Check(ForgeGitLab, "acme/shop"); err == nil {
		t.Error("a forge without a list serves a repository")
	}
	// No repositories key: every repository.
	var none *Allowlist
	if err := none.Check(ForgeGitHub, "any/thing"); err != nil {
		t.Errorf("no allowlist: %v", err)
	}
	want := `github repository "evil/repo": not in the server's repository allowlist (repositories.github of the server config)`
	if err := a.Check(ForgeGitHub, "evil/repo"); err == nil || err.Error() != want {
		t.Errorf("message %v, want %s", err, want)
	}
}

// TestSchema keeps schema/mpgate-server.schema.json in step with the keys:
// the same paths, strict objects.
func TestSchema(t *testing.T) {
	data, err := os.ReadFile("../../schema/mpgate-server.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if root["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema %v", root["$schema"])
	}
	var paths []string
	var walk func(node map[string]any, prefix string)
	walk = func(node map[string]any, prefix string) {
		props, ok := node["properties"].(map[string]any)
		if !ok {
			return
		}
		if node["additionalProperties"] != false {
			t.Errorf("%q: additionalProperties is not false (the file is strict)", prefix)
		}
		for name, sub := range props {
			p := name
			if prefix != "" {
				p = prefix + "." + name
			}
			paths = append(paths, p)
			walk(sub.(map[string]any), p)
		}
	}
	walk(root, "")
	sort.Strings(paths)
	if !slices.Equal(paths, Paths()) {
		t.Errorf("schema and keys diverge\nschema %v\n  keys %v", paths, Paths())
	}
}

// TestDocs: docs/github-app.md documents every key, and its example is
// valid.
func TestDocs(t *testing.T) {
	data, err := os.ReadFile("../../docs/github-app.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := 0
	for _, block := range strings.Split(string(data), "```yaml\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		if !strings.HasPrefix(block, "# server.yml") {
			continue
		}
		examples++
		cfg, err := Parse([]byte(block), "server.yml")
		if err != nil {
			t.Errorf("the example is invalid: %v\n%s", err, block)
		} else if cfg.Repositories == nil || len(cfg.Settings) == 0 {
			t.Errorf("the example shows no settings or no allowlist:\n%s", block)
		}
	}
	if examples == 0 {
		t.Error("docs/github-app.md has no server.yml example")
	}
	for _, p := range Paths() {
		if !strings.Contains(string(data), "`"+p+"`") {
			t.Errorf("docs/github-app.md does not document %s", p)
		}
	}
}
