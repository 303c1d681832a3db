package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// markdownYAML maps the ```yaml blocks of a Markdown file, with the line each
// starts on.
func markdownYAML(t *testing.T, file string) map[int]string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]string{}
	var cur *strings.Builder
	start := 0
	for i, line := range strings.Split(string(data), "\n") {
		switch {
		case cur == nil && strings.TrimSpace(line) == "```yaml":
			cur, start = &strings.Builder{}, i+2
		case cur != nil && strings.TrimSpace(line) == "```":
			out[start] = cur.String()
			cur = nil
		case cur != nil:
			cur.WriteString(line + "\n")
		}
	}
	if cur != nil {
		t.Fatalf("%s: the yaml block at line %d is not closed", file, start)
	}
	return out
}

// decodeAll decodes every document of a YAML stream.
func decodeAll(src string) ([]map[string]any, error) {
	dec := yaml.NewDecoder(strings.NewReader(src))
	var docs []map[string]any
	for {
		var m map[string]any
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, m)
	}
}

// at walks maps and lists: at(doc, "spec", "template", "spec", "containers", 0).
func at(v any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// imageFacts are what the Dockerfile says the manifests must agree with.
type imageFacts struct {
	uid, port int
	dataDir   string
}

func readImageFacts(t *testing.T) imageFacts {
	t.Helper()
	src, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var f imageFacts
	if m := regexp.MustCompile(`(?m)^USER (\d+)(?::\d+)?$`).FindSubmatch(src); m != nil {
		f.uid, _ = strconv.Atoi(string(m[1]))
	}
	if m := regexp.MustCompile(`MPGATE_ADDR=0\.0\.0\.0:(\d+)`).FindSubmatch(src); m != nil {
		f.port, _ = strconv.Atoi(string(m[1]))
	}
	if m := regexp.MustCompile(`MPGATE_DATA_DIR=(\S+)`).FindSubmatch(src); m != nil {
		f.dataDir = string(m[1])
	}
	if f.uid == 0 || f.port == 0 || f.dataDir == "" {
		t.Fatalf("the Dockerfile has no numeric USER, MPGATE_ADDR port or MPGATE_DATA_DIR: %+v", f)
	}
	return f
}

// TestDeployManifests parses the Kubernetes manifests of docs/deploy.md and
// checks them against the image and the server: valid YAML, the image's
// numeric user, non-root, probes on the paths serve answers, the port the
// image listens on, environment variables serve reads, secret files on a
// mounted Secret, the data directory on a persistent volume.
func TestDeployManifests(t *testing.T) {
	img := readImageFacts(t)
	envs := map[string]bool{}
	newServeFlagSet(&serveFlags{}).VisitAll(func(f *flag.Flag) { envs[envName(f.Name)] = true })

	blocks := markdownYAML(t, "../../docs/deploy.md")
	kinds := map[string]int{}
	var workloads int
	for line, src := range blocks {
		docs, err := decodeAll(src)
		if err != nil {
			t.Errorf("docs/deploy.md: the yaml block at line %d does not parse: %v", line, err)
			continue
		}
		secrets := map[string]bool{}
		for _, d := range docs {
			kind, _ := d["kind"].(string)
			name, _ := at(d, "metadata", "name").(string)
			if kind == "" || d["apiVersion"] == nil || name == "" {
				t.Errorf("docs/deploy.md:%d: a document without apiVersion, kind or metadata.name: %v", line, d)
				continue
			}
			kinds[kind]++
			if kind == "Secret" {
				secrets[name] = true
			}
		}
		for _, d := range docs {
			if kind := d["kind"]; kind == "Deployment" || kind == "StatefulSet" {
				workloads++
				t.Run(fmt.Sprintf("%s at line %d", kind, line), func(t *testing.T) {
					checkWorkload(t, d, img, envs, secrets)
				})
			}
		}
	}
	for _, k := range []string{"Secret", "PersistentVolumeClaim", "Deployment", "Service", "StatefulSet"} {
		if kinds[k] == 0 {
			t.Errorf("docs/deploy.md has no %s manifest", k)
		}
	}
	if workloads == 0 {
		t.Fatal("no workload checked")
	}
}

func checkWorkload(t *testing.T, d map[string]any, img imageFacts, envs, secrets map[string]bool) {
	pod := at(d, "spec", "template", "spec")
	sc := at(pod, "securityContext")
	if at(sc, "runAsNonRoot") != true || at(sc, "runAsUser") != img.uid || at(sc, "runAsGroup") != img.uid {
		t.Errorf("pod securityContext %v: want runAsNonRoot true, runAsUser and runAsGroup %d (the Dockerfile's USER)", sc, img.uid)
	}
	sel, labels := at(d, "spec", "selector", "matchLabels"), at(d, "spec", "template", "metadata", "labels")
	sm, _ := sel.(map[string]any)
	lm, _ := labels.(map[string]any)
	if len(sm) == 0 {
		t.Errorf("no spec.selector.matchLabels")
	}
	for k, v := range sm {
		if lm[k] != v {
			t.Errorf("selector %s=%v does not match the pod's labels %v", k, v, lm)
		}
	}
	c := at(pod, "containers", 0)
	if img, _ := at(c, "image").(string); !strings.HasPrefix(img, "ghcr.io/mpgate/mpgate:") {
		t.Errorf("image %q, want ghcr.io/mpgate/mpgate:…", img)
	}
	if at(c, "securityContext", "allowPrivilegeEscalation") != false {
		t.Errorf("allowPrivilegeEscalation is not false")
	}

	ports := map[string]int{}
	for i := 0; at(c, "ports", i) != nil; i++ {
		p, _ := at(c, "ports", i, "containerPort").(int)
		if p != img.port {
			t.Errorf("containerPort %d, want %d (the image's MPGATE_ADDR)", p, img.port)
		}
		if n, ok := at(c, "ports", i, "name").(string); ok {
			ports[n] = p
		}
	}
	for probe, want := range map[string]string{"livenessProbe": "/healthz", "readinessProbe": "/readyz", "startupProbe": "/healthz"} {
		p := at(c, probe)
		if p == nil {
			if probe != "startupProbe" {
				t.Errorf("no %s", probe)
			}
			continue
		}
		if got := at(p, "httpGet", "path"); got != want {
			t.Errorf("%s path %v, want %s", probe, got, want)
		}
		switch port := at(p, "httpGet", "port").(type) {
		case string:
			if ports[port] != img.port {
				t.Errorf("%s names port %q, which is not the container's %d", probe, port, img.port)
			}
		case int:
			if port != img.port {
				t.Errorf("%s port %d, want %d", probe, port, img.port)
			}
		default:
			t.Errorf("%s has no httpGet port", probe)
		}
	}

	// Volumes: which mount path holds which volume, and what each is.
	mounts := map[string]string{} // mount path → volume name
	for i := 0; at(c, "volumeMounts", i) != nil; i++ {
		mounts[at(c, "volumeMounts", i, "mountPath").(string)] = at(c, "volumeMounts", i, "name").(string)
	}
	volumes := map[string]map[string]any{}
	for i := 0; at(pod, "volumes", i) != nil; i++ {
		v := at(pod, "volumes", i).(map[string]any)
		volumes[v["name"].(string)] = v
	}
	for i := 0; at(d, "spec", "volumeClaimTemplates", i) != nil; i++ {
		name := at(d, "spec", "volumeClaimTemplates", i, "metadata", "name").(string)
		volumes[name] = map[string]any{"name": name, "persistentVolumeClaim": "template"}
	}
	data := volumes[mounts[img.dataDir]]
	if data == nil || data["persistentVolumeClaim"] == nil {
		t.Errorf("%s (MPGATE_DATA_DIR) is not on a persistent volume claim: mounts %v", img.dataDir, mounts)
	}

	for i := 0; at(c, "env", i) != nil; i++ {
		name, _ := at(c, "env", i, "name").(string)
		if !envs[name] {
			t.Errorf("env %s is not read by mpgate serve", name)
			continue
		}
		if !strings.HasSuffix(name, "_FILE") {
			continue
		}
		// A secret file: under a mounted Secret volume, with a key the
		// Secret (when it is in the same block) defines.
		file, _ := at(c, "env", i, "value").(string)
		vol := mounts[path.Dir(file)]
		secretName, _ := at(volumes[vol], "secret", "secretName").(string)
		if secretName == "" {
			t.Errorf("%s=%s is not on a mounted Secret (mounts %v)", name, file, mounts)
		} else if len(secrets) > 0 && !secrets[secretName] {
			t.Errorf("%s reads Secret %q, which the manifests do not define", name, secretName)
		}
	}
}

func TestMarkdownYAML(t *testing.T) {
	dir := t.TempDir()
	md := dir + "/x.md"
	src := "# t\n\n```yaml\na: 1\n---\nb: [x\n```\n\n```sh\nnot: yaml\n```\n"
	if err := os.WriteFile(md, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	blocks := markdownYAML(t, md)
	if len(blocks) != 1 || blocks[4] != "a: 1\n---\nb: [x\n" {
		t.Fatalf("blocks %v", blocks)
	}
	// The second document is broken: the test must see it.
	if _, err := decodeAll(blocks[4]); err == nil {
		t.Error("a broken document decoded")
	}
	if docs, err := decodeAll("a: 1\n---\nb: 2\n"); err != nil || len(docs) != 2 || docs[1]["b"] != 2 {
		t.Errorf("decodeAll: %v, %v", docs, err)
	}
}
