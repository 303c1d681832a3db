package sandbox

// No Docker engine runs the tests, so the image cannot be built here: these
// tests read the repository's Dockerfile with a small parser of its syntax
// (instructions, comments, line continuations, JSON exec forms) and check
// the lines the server depends on, so that they cannot rot silently.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction: its keyword in upper case, its
// flags (--from=build) and its arguments, and for the exec form (a JSON
// array) the parsed array.
type instruction struct {
	Line  int
	Cmd   string
	Flags []string
	Args  string
	Exec  []string // nil unless Args is a JSON array
}

// stage is the instructions from one FROM to the next.
type stage struct {
	From, Name string
	Ins        []instruction
}

// parseDockerfile splits a Dockerfile into stages. It follows the reference's
// rules for what matters here: '#' starts a comment at the beginning of a
// line, a trailing backslash continues the line (comment lines inside a
// continuation are dropped), the keyword is case-insensitive, leading
// --flags belong to the instruction, and an argument that is a JSON array is
// the exec form.
func parseDockerfile(src string) ([]stage, error) {
	var stages []stage
	sc := bufio.NewScanner(strings.NewReader(src))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	lineNo, start := 0, 0
	var cur strings.Builder
	flush := func() error {
		text := strings.TrimSpace(cur.String())
		cur.Reset()
		if text == "" {
			return nil
		}
		kw, rest, _ := strings.Cut(text, " ")
		if tab := strings.IndexByte(kw, '\t'); tab >= 0 {
			kw, rest = kw[:tab], kw[tab+1:]+" "+rest
		}
		ins := instruction{Line: start, Cmd: strings.ToUpper(kw)}
		rest = strings.TrimSpace(rest)
		for strings.HasPrefix(rest, "--") {
			f, r, _ := strings.Cut(rest, " ")
			ins.Flags = append(ins.Flags, f)
			rest = strings.TrimSpace(r)
			if ins.Cmd == "HEALTHCHECK" && !strings.HasPrefix(rest, "--") {
				break
			}
		}
		if ins.Cmd == "HEALTHCHECK" {
			sub, r, _ := strings.Cut(rest, " ")
			if strings.ToUpper(sub) != "CMD" && strings.ToUpper(sub) != "NONE" {
				return fmt.Errorf("line %d: HEALTHCHECK wants CMD or NONE, got %q", start, sub)
			}
			rest = strings.TrimSpace(r)
		}
		ins.Args = rest
		if strings.HasPrefix(rest, "[") {
			var arr []string
			if err := json.Unmarshal([]byte(rest), &arr); err == nil {
				ins.Exec = arr
				if arr == nil {
					ins.Exec = []string{}
				}
			}
		}
		if ins.Cmd == "FROM" {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return fmt.Errorf("line %d: FROM without an image", start)
			}
			st := stage{From: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.Name = f[2]
			} else if len(f) != 1 {
				return fmt.Errorf("line %d: FROM %q", start, rest)
			}
			stages = append(stages, st)
			return nil
		}
		if len(stages) == 0 {
			if ins.Cmd == "ARG" {
				return nil // an ARG before the first FROM
			}
			return fmt.Errorf("line %d: %s before FROM", start, ins.Cmd)
		}
		s := &stages[len(stages)-1]
		s.Ins = append(s.Ins, ins)
		return nil
	}
	continuing := false
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && !continuing) {
			continue
		}
		if !continuing {
			start = lineNo
		}
		if strings.HasSuffix(trimmed, `\`) {
			cur.WriteString(strings.TrimSuffix(trimmed, `\`))
			cur.WriteByte(' ')
			continuing = true
			continue
		}
		cur.WriteString(trimmed)
		continuing = false
		if err := flush(); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the Dockerfile: %w", err)
	}
	if continuing {
		return nil, fmt.Errorf("line %d: the file ends in a continued line", start)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if len(stages) == 0 {
		return nil, fmt.Errorf("no FROM")
	}
	return stages, nil
}

func (s stage) all(cmd string) []instruction {
	var out []instruction
	for _, in := range s.Ins {
		if in.Cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

func (s stage) last(cmd string) (instruction, bool) {
	all := s.all(cmd)
	if len(all) == 0 {
		return instruction{}, false
	}
	return all[len(all)-1], true
}

// words are the whitespace-separated words of every instruction cmd.
func (s stage) words(cmd string) []string {
	var out []string
	for _, in := range s.all(cmd) {
		out = append(out, strings.Fields(in.Args)...)
	}
	return out
}

// dockerfiles are the two images: built from source (Dockerfile: a
// builder stage, then the runtime) and published by the release
// (Dockerfile.release: the runtime only, with GoReleaser's binary).
var dockerfiles = []struct {
	path   string
	stages int
}{
	{"../../Dockerfile", 2},
	{"../../Dockerfile.release", 1},
}

func readStages(t *testing.T, path string, want int) []stage {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	stages, err := parseDockerfile(string(src))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(stages) != want {
		t.Fatalf("%s: %d stages, want %d", path, len(stages), want)
	}
	return stages
}

func readDockerfile(t *testing.T) (build, runtime stage) {
	t.Helper()
	st := readStages(t, dockerfiles[0].path, dockerfiles[0].stages)
	return st[0], st[1]
}

// runtimeStages are the last stage of each Dockerfile, by path.
func runtimeStages(t *testing.T) map[string]stage {
	t.Helper()
	out := map[string]stage{}
	for _, d := range dockerfiles {
		st := readStages(t, d.path, d.stages)
		out[d.path] = st[len(st)-1]
	}
	return out
}

func TestDockerfileBuilder(t *testing.T) {
	b, rt := readDockerfile(t)
	if !strings.HasPrefix(b.From, "golang:1.26") || b.Name == "" {
		t.Errorf("builder FROM %s AS %q, want golang:1.26… with a name", b.From, b.Name)
	}
	words := b.words("RUN")
	for _, w := range []string{"CGO_ENABLED=0", "go", "build", "-trimpath", `-ldflags="-s`, "main.version=${VERSION}", "main.commit=${COMMIT}", "main.date=${DATE}\"", "./cmd/mpgate"} {
		if !slices.Contains(words, w) {
			t.Errorf("the builder's RUN lacks %q: %q", w, words)
		}
	}
	var copied bool
	for _, c := range rt.all("COPY") {
		if slices.Contains(c.Flags, "--from="+b.Name) && strings.Contains(c.Args, "mpgate") {
			copied = true
		}
	}
	if !copied {
		t.Errorf("the runtime does not COPY --from=%s the binary", b.Name)
	}
}

// TestDockerfileRelease: the published image copies the binary GoReleaser
// built for the platform being built (dockers_v2 lays them out as
// linux/amd64/mpgate, linux/arm64/mpgate).
func TestDockerfileRelease(t *testing.T) {
	rt := runtimeStages(t)["../../Dockerfile.release"]
	if !slices.Contains(rt.words("ARG"), "TARGETPLATFORM") {
		t.Errorf("no ARG TARGETPLATFORM: %q", rt.words("ARG"))
	}
	var copied bool
	for _, c := range rt.all("COPY") {
		if c.Args == "${TARGETPLATFORM}/mpgate /usr/local/bin/mpgate" && len(c.Flags) == 0 {
			copied = true
		}
	}
	if !copied {
		t.Errorf("Dockerfile.release does not COPY ${TARGETPLATFORM}/mpgate /usr/local/bin/mpgate: %+v", rt.all("COPY"))
	}
}

// TestDockerfilesAgree: both images run the same way; only where the
// binary comes from differs.
func TestDockerfilesAgree(t *testing.T) {
	rts := runtimeStages(t)
	src, rel := rts[dockerfiles[0].path], rts[dockerfiles[1].path]
	if src.From != rel.From {
		t.Errorf("FROM %s and %s", src.From, rel.From)
	}
	for _, cmd := range []string{"RUN", "ENV", "USER", "WORKDIR", "VOLUME", "EXPOSE", "HEALTHCHECK", "ENTRYPOINT", "CMD"} {
		a, b := src.all(cmd), rel.all(cmd)
		if len(a) != len(b) {
			t.Errorf("%s: %d in Dockerfile, %d in Dockerfile.release", cmd, len(a), len(b))
			continue
		}
		for i := range a {
			if a[i].Args != b[i].Args || !slices.Equal(a[i].Flags, b[i].Flags) {
				t.Errorf("%s differs:\n  Dockerfile:%d         %s %s\n  Dockerfile.release:%d %s %s", cmd,
					a[i].Line, strings.Join(a[i].Flags, " "), a[i].Args, b[i].Line, strings.Join(b[i].Flags, " "), b[i].Args)
			}
		}
	}
}

func TestDockerfileRuntime(t *testing.T) {
	for path, rt := range runtimeStages(t) {
		t.Run(path, func(t *testing.T) { testRuntime(t, rt) })
	}
}

func testRuntime(t *testing.T, rt stage) {
	if rt.From != "debian:bookworm-slim" {
		t.Errorf("runtime FROM %s", rt.From)
	}
	t.Run("packages", func(t *testing.T) {
		words := rt.words("RUN")
		for _, p := range []string{"git", "bubblewrap", "ca-certificates", "tini", "--no-install-recommends"} {
			if !slices.Contains(words, p) {
				t.Errorf("apt-get install lacks %s", p)
			}
		}
	})
	t.Run("numeric non-root user", func(t *testing.T) {
		words := rt.words("RUN")
		i := slices.Index(words, "useradd")
		if i < 0 || !slices.Contains(words[i:], "10001") || !slices.Contains(words[i:], "mpgate") {
			t.Errorf("no useradd of mpgate with uid 10001: %q", words)
		}
		// Kubernetes' runAsNonRoot refuses to start a container whose
		// USER is a name: it cannot tell the name's uid.
		u, ok := rt.last("USER")
		if !ok || u.Args != "10001:10001" {
			t.Errorf("last USER %q, want 10001:10001 (numeric, not root)", u.Args)
		}
	})
	t.Run("data volume and address", func(t *testing.T) {
		env := map[string]string{}
		for _, w := range rt.words("ENV") {
			k, v, ok := strings.Cut(w, "=")
			if !ok {
				t.Fatalf("ENV %q: want NAME=value pairs", w)
			}
			env[k] = v
		}
		if env["MPGATE_DATA_DIR"] != "/data" || env["MPGATE_ADDR"] != "0.0.0.0:8080" {
			t.Errorf("ENV %v", env)
		}
		if v := rt.words("VOLUME"); !slices.Contains(v, "/data") {
			t.Errorf("VOLUME %q", v)
		}
		if e := rt.words("EXPOSE"); !slices.Contains(e, "8080") {
			t.Errorf("EXPOSE %q", e)
		}
	})
	t.Run("tini runs mpgate serve", func(t *testing.T) {
		ep, _ := rt.last("ENTRYPOINT")
		if !slices.Equal(ep.Exec, []string{"tini", "--", "mpgate"}) {
			t.Errorf("ENTRYPOINT %q, want the exec form [tini -- mpgate]", ep.Args)
		}
		cmd, _ := rt.last("CMD")
		if !slices.Equal(cmd.Exec, []string{"serve"}) {
			t.Errorf("CMD %q, want [serve]", cmd.Args)
		}
	})
	t.Run("healthcheck needs no shell", func(t *testing.T) {
		hc, _ := rt.last("HEALTHCHECK")
		if !slices.Equal(hc.Exec, []string{"mpgate", "healthcheck"}) {
			t.Errorf("HEALTHCHECK CMD %q, want the exec form [mpgate healthcheck]", hc.Args)
		}
	})
}

// TestDockerfileHealthcheck runs the image's HEALTHCHECK command, with the
// mpgate this repository builds, against a server answering /healthz, as
// Docker would inside the container (MPGATE_ADDR as the image sets it).
func TestDockerfileHealthcheck(t *testing.T) {
	_, rt := readDockerfile(t)
	hc, ok := rt.last("HEALTHCHECK")
	if !ok || len(hc.Exec) == 0 {
		t.Fatalf("no HEALTHCHECK CMD in exec form: %q", hc.Args)
	}
	if hc.Exec[0] != "mpgate" {
		t.Fatalf("HEALTHCHECK runs %q; this test builds only mpgate", hc.Exec[0])
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build mpgate: %v", err)
	}
	bin := t.TempDir()
	build := exec.Command(goBin, "build", "-o", bin, "github.com/mpgate/mpgate/cmd/mpgate")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building mpgate: %v\n%s", err, out)
	}
	run := func(port string) ([]byte, error) {
		cmd := exec.Command(filepath.Join(bin, hc.Exec[0]), hc.Exec[1:]...)
		cmd.Env = []string{"PATH=" + bin, "MPGATE_ADDR=0.0.0.0:" + port}
		return cmd.CombinedOutput()
	}
	tests := []struct {
		name   string
		status int
		path   string
		ok     bool
	}{
		{"healthy", http.StatusOK, "/healthz", true},
		{"unhealthy", http.StatusServiceUnavailable, "/healthz", false},
		{"wrong path", http.StatusOK, "/other", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != tt.path {
					http.NotFound(w, r)
					return
				}
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			out, err := run(srv.URL[strings.LastIndexByte(srv.URL, ':')+1:])
			if (err == nil) != tt.ok {
				t.Errorf("healthcheck err = %v (output %q), want healthy=%v", err, out, tt.ok)
			}
		})
	}
	t.Run("nothing listening", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
		srv.Close()
		if out, err := run(port); err == nil {
			t.Errorf("healthy with no server: %s", out)
		}
	})
}

func TestParseDockerfile(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    []stage
		wantErr string
	}{
		{
			name: "stages, continuation, comments, flags and exec form",
			src:  "# syntax=docker/dockerfile:1\nARG V=1\nFROM golang:1.26 AS build\nRUN a \\\n  # a comment inside\n  b\nfrom debian\nCOPY --from=build /x /y\nHEALTHCHECK --interval=5s CMD [\"true\"]\nENTRYPOINT [\"tini\", \"--\"]\nCMD serve\n",
			want: []stage{
				{From: "golang:1.26", Name: "build", Ins: []instruction{{Line: 4, Cmd: "RUN", Args: "a  b"}}},
				{From: "debian", Ins: []instruction{
					{Line: 8, Cmd: "COPY", Flags: []string{"--from=build"}, Args: "/x /y"},
					{Line: 9, Cmd: "HEALTHCHECK", Flags: []string{"--interval=5s"}, Args: `["true"]`, Exec: []string{"true"}},
					{Line: 10, Cmd: "ENTRYPOINT", Args: `["tini", "--"]`, Exec: []string{"tini", "--"}},
					{Line: 11, Cmd: "CMD", Args: "serve"},
				}},
			},
		},
		{name: "no FROM", src: "# only a comment\n", wantErr: "no FROM"},
		{name: "instruction before FROM", src: "RUN x\nFROM a\n", wantErr: "before FROM"},
		{name: "dangling continuation", src: "FROM a\nRUN x \\\n", wantErr: "continued line"},
		{name: "bad FROM", src: "FROM a b\n", wantErr: "FROM"},
		{name: "bad HEALTHCHECK", src: "FROM a\nHEALTHCHECK --interval=1s RUN x\n", wantErr: "CMD or NONE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseDockerfile(tt.src)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(tt.want)
			if string(g) != string(w) {
				t.Errorf("got  %s\nwant %s", g, w)
			}
		})
	}
}

func FuzzParseDockerfile(f *testing.F) {
	for _, d := range dockerfiles {
		if src, err := os.ReadFile(d.path); err == nil {
			f.Add(string(src))
		}
	}
	f.Add("FROM a AS b\nRUN x \\\n y\nCMD [\"z\"]\n")
	f.Add("HEALTHCHECK --x\n")
	f.Add("FROM a\nHEALTHCHECK --interval=1s\n")
	f.Fuzz(func(t *testing.T, src string) {
		stages, err := parseDockerfile(src)
		if err == nil && len(stages) == 0 {
			t.Fatal("no error and no stage")
		}
		for _, s := range stages {
			if s.From == "" {
				t.Fatalf("stage without an image: %+v", s)
			}
			for _, in := range s.Ins {
				if in.Cmd == "" || in.Cmd == "FROM" {
					t.Fatalf("bad instruction %+v", in)
				}
			}
		}
	})
}
