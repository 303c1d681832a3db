package sandbox

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mpgate/mpgate/bot/build"
)

// pairs returns the values that follow flag in args, for flags with one
// value (--setenv has two: the name is returned).
func pairs(args []string, flag string) []string {
	var out []string
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "--" {
			break
		}
		if args[i] == flag {
			out = append(out, args[i+1])
		}
	}
	return out
}

// setenv returns the variables --setenv sets, as NAME=value.
func setenv(args []string) []string {
	var out []string
	for i := 0; i+2 < len(args); i++ {
		if args[i] == "--" {
			break
		}
		if args[i] == "--setenv" {
			out = append(out, args[i+1]+"="+args[i+2])
			i += 2
		}
	}
	return out
}

func TestBwrapArgs(t *testing.T) {
	wt := t.TempDir()
	cache := t.TempDir()
	tool := t.TempDir()
	argv := []string{"/bin/sh", "-c", "npm ci && npm run build"}
	tests := []struct {
		name     string
		b        Bwrap
		env      []string
		want     []string // flags in this order (not necessarily adjacent)
		absent   []string
		wantEnv  []string
		noEnv    []string // names that must not be set
		wantBind []string // --bind sources
	}{
		{
			name:    "defaults: no network, fresh /proc, own session",
			b:       Bwrap{ReadOnly: []string{tool}},
			env:     []string{"PATH=/usr/bin:/bin", "HOME=/home/mpgate", "LANG=C.UTF-8"},
			want:    []string{"--die-with-parent", "--unshare-all", "--new-session", "--cap-drop", "--proc", "--dev", "--tmpfs", "--ro-bind", "--bind", "--remount-ro", "--chdir", "--clearenv", "--setenv", "--"},
			absent:  []string{"--share-net"},
			wantEnv: []string{"HOME=" + SandboxHome, "LANG=C.UTF-8", "PATH=/usr/bin:/bin", "npm_config_update_notifier=false", "npm_config_audit=false"},
		},
		{
			name:    "offline npm defaults give way to given values",
			b:       Bwrap{ReadOnly: []string{tool}},
			env:     []string{"npm_config_audit=true"},
			wantEnv: []string{"npm_config_audit=true", "npm_config_fund=false"},
		},
		{
			name:    "network",
			b:       Bwrap{Network: true, ReadOnly: []string{tool}},
			env:     []string{"PATH=/usr/bin"},
			want:    []string{"--unshare-all", "--share-net", "--new-session"},
			wantEnv: []string{"PATH=/usr/bin"},
			noEnv:   []string{"npm_config_update_notifier", "npm_config_audit"},
		},
		{
			name:     "writable cache keeps HOME and XDG inside it",
			b:        Bwrap{ReadOnly: []string{tool}, Writable: []string{cache}},
			env:      []string{"HOME=" + cache, "XDG_CACHE_HOME=" + cache + "/xdg", "npm_config_cache=" + cache + "/npm"},
			wantEnv:  []string{"HOME=" + cache, "XDG_CACHE_HOME=" + cache + "/xdg", "npm_config_cache=" + cache + "/npm"},
			wantBind: []string{cache, wt},
		},
		{
			name:    "temporary directories and XDG outside move or go",
			b:       Bwrap{ReadOnly: []string{tool}},
			env:     []string{"TMPDIR=/var/tmp/mpgate", "TMP=/tmp", "TEMP=" + wt + "/.tmp", "XDG_CONFIG_HOME=/home/mpgate/.config"},
			wantEnv: []string{"TMPDIR=/tmp", "TMP=/tmp", "TEMP=" + wt + "/.tmp"},
			noEnv:   []string{"XDG_CONFIG_HOME"},
		},
		{
			name:    "secret-looking names never pass",
			b:       Bwrap{ReadOnly: []string{tool}},
			env:     []string{"GITHUB_TOKEN=x", "NPM_TOKEN=y", "MPGATE_WEBHOOK_SECRET=z", "CI=true"},
			wantEnv: []string{"CI=true"},
			noEnv:   []string{"GITHUB_TOKEN", "NPM_TOKEN", "MPGATE_WEBHOOK_SECRET"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args, err := tt.b.Args(wt, argv, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(args[len(args)-len(argv):], argv) || args[len(args)-len(argv)-1] != "--" {
				t.Errorf("args do not end with -- and the command: %q", args)
			}
			at := 0
			for _, f := range tt.want {
				i := slices.Index(args[at:], f)
				if i < 0 {
					t.Errorf("%s missing or out of order in %q", f, args)
					continue
				}
				at += i
			}
			for _, f := range tt.absent {
				if slices.Contains(args, f) {
					t.Errorf("%s present in %q", f, args)
				}
			}
			if got := pairs(args, "--proc"); !slices.Equal(got, []string{"/proc"}) {
				t.Errorf("--proc %q", got)
			}
			if got := pairs(args, "--chdir"); !slices.Equal(got, []string{wt}) {
				t.Errorf("--chdir %q, want the worktree", got)
			}
			if !slices.Contains(pairs(args, "--ro-bind"), tool) {
				t.Errorf("toolchain %s not bound read-only: %q", tool, args)
			}
			wantBind := tt.wantBind
			if wantBind == nil {
				wantBind = []string{wt}
			}
			if got := pairs(args, "--bind"); !slices.Equal(got, wantBind) {
				t.Errorf("--bind %q, want %q", got, wantBind)
			}
			env := setenv(args)
			names := map[string]bool{}
			for _, kv := range env {
				k, _, _ := strings.Cut(kv, "=")
				if names[k] {
					t.Errorf("%s set twice in %q", k, env)
				}
				names[k] = true
			}
			for _, kv := range tt.wantEnv {
				if !slices.Contains(env, kv) {
					t.Errorf("env %q lacks %s", env, kv)
				}
			}
			for _, name := range tt.noEnv {
				for _, kv := range env {
					if strings.HasPrefix(kv, name+"=") {
						t.Errorf("env has %s", kv)
					}
				}
			}
		})
	}
}

func TestBwrapArgsErrors(t *testing.T) {
	wt := t.TempDir()
	parent := filepath.Dir(wt)
	file := filepath.Join(wt, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	argv := []string{"/bin/sh", "-c", "true"}
	tests := []struct {
		name     string
		b        Bwrap
		worktree string
		argv     []string
		want     string
	}{
		{"no worktree", Bwrap{ReadOnly: []string{}}, "", argv, "no worktree"},
		{"root as worktree", Bwrap{ReadOnly: []string{}}, "/", argv, "cannot be /"},
		{"missing worktree", Bwrap{ReadOnly: []string{}}, filepath.Join(wt, "nope"), argv, "no such file"},
		{"worktree is a file", Bwrap{ReadOnly: []string{}}, file, argv, "not a directory"},
		{"empty command", Bwrap{ReadOnly: []string{}}, wt, nil, "empty command"},
		{"read-only parent of the worktree", Bwrap{ReadOnly: []string{parent}}, wt, argv, "contains the worktree"},
		{"read-only /", Bwrap{ReadOnly: []string{"/"}}, wt, argv, "contains the worktree"},
		{"read-only relative", Bwrap{ReadOnly: []string{"usr"}}, wt, argv, "not absolute"},
		{"read-only missing", Bwrap{ReadOnly: []string{"/nonexistent-mpgate-toolchain"}}, wt, argv, "no such file"},
		{"writable is the worktree", Bwrap{ReadOnly: []string{}, Writable: []string{wt}}, wt, argv, "contains the worktree"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.b.Args(tt.worktree, tt.argv, nil)
			if err == nil || !strings.Contains(strings.ToLower(err.Error()), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestBwrapSymlinks: a link whose target is bound stays a link (/bin ->
// usr/bin); one whose target is not is bound, following it.
func TestBwrapSymlinks(t *testing.T) {
	root := t.TempDir()
	wt := t.TempDir()
	real := filepath.Join(root, "usr")
	if err := os.MkdirAll(filepath.Join(real, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	covered := filepath.Join(root, "bin")
	if err := os.Symlink("usr/bin", covered); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(root, "resolv.conf")
	if err := os.Symlink("/etc/hostname-not-bound", outside); err != nil {
		t.Fatal(err)
	}
	args, err := (&Bwrap{ReadOnly: []string{real, covered, outside}}).Args(wt, []string{"true"}, nil)
	if err == nil {
		t.Fatalf("a dangling link was accepted: %q", args)
	}
	if err := os.Remove(outside); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "target")
	if err := os.WriteFile(target, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, outside); err != nil {
		t.Fatal(err)
	}
	args, err = (&Bwrap{ReadOnly: []string{real, covered, outside}}).Args(wt, []string{"true"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.Index(args, "--symlink")
	if i < 0 || args[i+1] != "usr/bin" || args[i+2] != covered {
		t.Errorf("want --symlink usr/bin %s in %q", covered, args)
	}
	if !slices.Contains(pairs(args, "--ro-bind"), outside) {
		t.Errorf("want %s bound in %q", outside, args)
	}
}

func TestBwrapWrap(t *testing.T) {
	wt := t.TempDir()
	cmd := exec.Command("/bin/sh", "-c", "echo hi")
	cmd.Dir = wt
	cmd.Env = []string{"PATH=/usr/bin:/bin", "SECRET_THING=x"}
	if err := (&Bwrap{Path: "/opt/bwrap/bin/bwrap", ReadOnly: []string{}}).Wrap(cmd); err != nil {
		t.Fatal(err)
	}
	if cmd.Path != "/opt/bwrap/bin/bwrap" || cmd.Args[0] != cmd.Path {
		t.Errorf("path %s, args[0] %s", cmd.Path, cmd.Args[0])
	}
	if cmd.Env == nil || len(cmd.Env) != 0 {
		t.Errorf("bwrap's own environment %q, want empty (not inherited)", cmd.Env)
	}
	if got := cmd.Args[len(cmd.Args)-4:]; !slices.Equal(got, []string{"--", "/bin/sh", "-c", "echo hi"}) {
		t.Errorf("args end %q", got)
	}
	if cmd.Dir != wt {
		t.Errorf("dir %s", cmd.Dir)
	}
	for _, kv := range setenv(cmd.Args) {
		if strings.HasPrefix(kv, "SECRET") {
			t.Errorf("secret passed: %s", kv)
		}
	}

	bad := exec.Command("/bin/sh", "-c", "true") // no Dir
	if err := (&Bwrap{Path: "/usr/bin/bwrap", ReadOnly: []string{}}).Wrap(bad); err == nil {
		t.Error("a command without a worktree was wrapped")
	}
}

func TestUnavailable(t *testing.T) {
	u := Unavailable{Reason: "bwrap not found in PATH"}
	err := u.Wrap(exec.Command("/bin/sh", "-c", "true"))
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), u.Reason) {
		t.Errorf("err = %v", err)
	}
}

func TestToolchainDirs(t *testing.T) {
	root := t.TempDir()
	for _, p := range []string{"nvm/versions/node/v22.1.0/bin/node", "opt/go/bin/go", "tools/mytool"} {
		write(t, filepath.Join(root, p), "#!/bin/sh\n")
		if err := os.Chmod(filepath.Join(root, p), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(root, "links")
	if err := os.MkdirAll(link, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "nvm/versions/node/v22.1.0/bin/node"), filepath.Join(link, "node")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", strings.Join([]string{link, filepath.Join(root, "opt/go/bin"), filepath.Join(root, "tools")}, string(os.PathListSeparator)))
	t.Setenv("HOME", filepath.Join(root, "home"))
	got := ToolchainDirs("node", "go", "mytool", "absent-tool")
	want := []string{filepath.Join(root, "nvm/versions/node/v22.1.0"), filepath.Join(root, "opt/go"), filepath.Join(root, "tools")}
	if !slices.Equal(got, want) {
		t.Errorf("ToolchainDirs = %q, want %q", got, want)
	}

	// A tool in the home directory's bin would expose the whole home.
	write(t, filepath.Join(root, "home", "bin", "homeTool"), "#!/bin/sh\n")
	if err := os.Chmod(filepath.Join(root, "home", "bin", "homeTool"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", filepath.Join(root, "home", "bin"))
	if got := ToolchainDirs("homeTool"); len(got) != 0 {
		t.Errorf("ToolchainDirs = %q, want the home directory left out", got)
	}
}

func TestSandboxEnv(t *testing.T) {
	tests := []struct {
		name     string
		env      []string
		writable []string
		want     []string
	}{
		{"no HOME gets one", []string{"PATH=/bin"}, []string{"/w"}, []string{"HOME=/h", "PATH=/bin"}},
		{"relative HOME moves", []string{"HOME=home"}, []string{"/w"}, []string{"HOME=/h"}},
		{"HOME in the worktree stays", []string{"HOME=/w/.home"}, []string{"/w"}, []string{"HOME=/w/.home"}},
		{"HOME next to the worktree moves", []string{"HOME=/wx"}, []string{"/w"}, []string{"HOME=/h"}},
		{"malformed entries go", []string{"=x", "NOEQUALS", "A=1"}, []string{"/w"}, []string{"A=1", "HOME=/h"}},
		{"last value wins", []string{"A=1", "A=2"}, []string{"/w"}, []string{"A=2", "HOME=/h"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sandboxEnv(tt.env, tt.writable, "/h"); !slices.Equal(got, tt.want) {
				t.Errorf("sandboxEnv = %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzSandboxEnv: whatever environment a build is given, the sandbox's has
// one entry per name, no secret-looking name, and a HOME.
func FuzzSandboxEnv(f *testing.F) {
	f.Add("PATH=/bin\x00HOME=/w/h\x00GITHUB_TOKEN=x", "/w")
	f.Add("TMPDIR=/var/tmp\x00=x\x00A", "/")
	f.Add("XDG_CACHE_HOME=relative\x00HOME=", "/w/")
	f.Fuzz(func(t *testing.T, envList, writable string) {
		env := strings.Split(envList, "\x00")
		got := sandboxEnv(env, []string{writable}, SandboxHome)
		seen := map[string]bool{}
		for _, kv := range got {
			k, _, ok := strings.Cut(kv, "=")
			if !ok || k == "" || seen[k] {
				t.Fatalf("bad or repeated entry %q in %q", kv, got)
			}
			seen[k] = true
			if build.IsSecretName(k) {
				t.Fatalf("secret-looking %s passed", k)
			}
		}
		if !seen["HOME"] {
			t.Fatalf("no HOME in %q", got)
		}
	})
}
