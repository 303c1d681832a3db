package fakegithub

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The Git Data API (blobs, trees, commits, updating and deleting refs) is
// served for repositories given a real git repository with SetGitDir: the
// objects are written to it with git itself, so their SHAs are git's and a
// test can read what a client made with git. Refs stay in the fake's ref
// table (SetRef, Ref); updating one without force is refused with 422 when
// the new commit does not contain the old one, as GitHub refuses a
// non-fast-forward update. A repository without a git directory answers
// 404 to these operations.

var gitDataHandlers = map[string]func(*call){
	"git/create-blob":   handleBlobCreate,
	"git/create-tree":   handleTreeCreate,
	"git/create-commit": handleCommitCreate,
	"git/get-commit":    handleCommitGet,
	"git/update-ref":    handleRefUpdate,
	"git/delete-ref":    handleRefDelete,
	"git/get-tag":       handleTagGet,
}

// syncRef keeps the git repository's refs equal to the fake's (a client
// fetching from it sees what the API made); sha "" deletes the ref.
func (c *call) syncRef(ref, sha string) {
	dir, ok := c.f.gitDirs[c.repo]
	if !ok {
		return
	}
	args := []string{"update-ref", ref, sha}
	if sha == "" {
		args = []string{"update-ref", "-d", ref}
	}
	if _, err := runGitIn(dir, nil, nil, args...); err != nil {
		c.f.fail(c.r, "fake: "+err.Error())
	}
}

// gitTag writes a real annotated tag object to the repository's git
// directory; ok is false when the repository has none.
func (c *call) gitTag(name, object, typ, message string, tagger map[string]any) (string, bool, error) {
	dir, ok := c.f.gitDirs[c.repo]
	if !ok {
		return "", false, nil
	}
	who := c.login + " <" + c.login + "@users.noreply.github.com>"
	if tagger != nil {
		n, _ := tagger["name"].(string)
		e, _ := tagger["email"].(string)
		who = n + " <" + e + ">"
	}
	body := fmt.Sprintf("object %s\ntype %s\ntag %s\ntagger %s %d +0000\n\n%s", object, typ, name, who, c.f.now().Unix(), message)
	sha, err := runGitIn(dir, nil, []byte(body), "hash-object", "-t", "tag", "-w", "--stdin")
	return sha, true, err
}

// handleTagGet answers a tag object made with git/create-tag.
func handleTagGet(c *call) {
	t, ok := c.f.tags[c.repo+":"+c.params["tag_sha"]]
	if !ok {
		c.notFound()
		return
	}
	c.reply(http.StatusOK, t)
}

// SetGitDir backs repo's ("owner/name") Git Data API with the git
// repository at dir (a work tree or a bare repository made by the test).
func (f *Fake) SetGitDir(repo, dir string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gitDirs == nil {
		f.gitDirs = map[string]string{}
	}
	f.gitDirs[repo] = dir
}

// gitDir is the call's git repository; ok is false (and 404 answered)
// when the repository has no git directory.
func (c *call) gitDir() (string, bool) {
	dir, ok := c.f.gitDirs[c.repo]
	if !ok {
		c.notFound()
	}
	return dir, ok
}

func runGitIn(dir string, env []string, stdin []byte, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(), "GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + os.DevNull, "LC_ALL=C"}, env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %s: %w", args[0], strings.TrimSpace(errb.String()), err)
	}
	return strings.TrimSpace(out.String()), nil
}

// objectType is the type of sha in dir, "" when it does not exist.
func objectType(dir, sha string) string {
	if !isSHA(sha) {
		return ""
	}
	t, err := runGitIn(dir, nil, nil, "cat-file", "-t", sha)
	if err != nil {
		return ""
	}
	return t
}

func handleBlobCreate(c *call) {
	dir, ok := c.gitDir()
	if !ok {
		return
	}
	content := []byte(c.str("content"))
	if enc := c.str("encoding"); enc == "base64" {
		b, err := base64.StdEncoding.DecodeString(c.str("content"))
		if err != nil {
			c.reply(http.StatusUnprocessableEntity, ghError("content is not valid Base64"))
			return
		}
		content = b
	} else if enc != "" && enc != "utf-8" {
		c.reply(http.StatusUnprocessableEntity, ghError("encoding must be utf-8 or base64"))
		return
	}
	sha, err := runGitIn(dir, nil, content, "hash-object", "-w", "--stdin")
	if err != nil {
		c.f.fail(c.r, err.Error())
		c.reply(http.StatusInternalServerError, ghError("Server Error"))
		return
	}
	c.reply(http.StatusCreated, map[string]any{"sha": sha, "url": c.f.api("/repos/%s/git/blobs/%s", c.repo, sha)})
}

// handleTreeCreate builds the tree in a temporary index: base_tree read
// first, then each entry added, replaced or (sha null) removed.
func handleTreeCreate(c *call) {
	dir, ok := c.gitDir()
	if !ok {
		return
	}
	tmp, err := os.MkdirTemp("", "fakegithub-index-")
	if err != nil {
		c.f.fail(c.r, err.Error())
		c.reply(http.StatusInternalServerError, ghError("Server Error"))
		return
	}
	defer os.RemoveAll(tmp)
	// A work tree of its own: update-index wants one, even in a bare repository.
	env := []string{"GIT_INDEX_FILE=" + filepath.Join(tmp, "index"), "GIT_WORK_TREE=" + tmp}
	fail := func(msg string) { c.reply(http.StatusUnprocessableEntity, ghError(msg)) }
	if base := c.str("base_tree"); base != "" {
		if objectType(dir, base) != "tree" {
			fail("base_tree is not a valid tree oid")
			return
		}
		if _, err := runGitIn(dir, env, nil, "read-tree", base); err != nil {
			fail("base_tree is not a valid tree oid")
			return
		}
	} else if _, err := runGitIn(dir, env, nil, "read-tree", "--empty"); err != nil {
		fail(err.Error())
		return
	}
	entries, _ := c.body["tree"].([]any)
	for i, e := range entries {
		m, _ := e.(map[string]any)
		p, _ := m["path"].(string)
		mode, _ := m["mode"].(string)
		typ, _ := m["type"].(string)
		if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "//") {
			fail(fmt.Sprintf("tree.path %q at index %d is invalid", p, i))
			return
		}
		sha, hasSHA := m["sha"]
		content, hasContent := m["content"].(string)
		switch {
		case hasSHA && sha == nil:
			if _, err := runGitIn(dir, env, nil, "update-index", "--force-remove", "--", p); err != nil {
				fail(err.Error())
				return
			}
			continue
		case hasContent:
			s, err := runGitIn(dir, nil, []byte(content), "hash-object", "-w", "--stdin")
			if err != nil {
				fail(err.Error())
				return
			}
			sha = s
		}
		s, _ := sha.(string)
		switch {
		case typ == "tree":
			fail("the fake adds blobs only; give each file of a subtree by its path")
			c.f.fail(c.r, "the fake does not add tree entries of type tree")
			return
		case typ == "blob" && objectType(dir, s) != "blob", typ != "blob" && typ != "commit":
			fail(fmt.Sprintf("tree.sha %s is not a valid %s", s, typ))
			return
		}
		if _, err := runGitIn(dir, env, nil, "update-index", "--add", "--cacheinfo", mode+","+s+","+p); err != nil {
			fail(fmt.Sprintf("tree.mode %q of %s: %v", mode, p, err))
			return
		}
	}
	tree, err := runGitIn(dir, env, nil, "write-tree")
	if err != nil {
		fail(err.Error())
		return
	}
	ls, err := runGitIn(dir, nil, nil, "ls-tree", "-l", tree)
	if err != nil {
		fail(err.Error())
		return
	}
	var list []any
	for _, l := range strings.Split(ls, "\n") {
		meta, name, ok := strings.Cut(l, "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 4 {
			continue
		}
		ent := map[string]any{"path": name, "mode": f[0], "type": f[1], "sha": f[2], "url": c.f.api("/repos/%s/git/%ss/%s", c.repo, f[1], f[2])}
		if f[3] != "-" {
			var n int
			fmt.Sscan(f[3], &n)
			ent["size"] = n
		}
		list = append(list, ent)
	}
	c.reply(http.StatusCreated, map[string]any{"sha": tree, "url": c.f.api("/repos/%s/git/trees/%s", c.repo, tree), "tree": list, "truncated": false})
}

// handleCommitCreate makes the commit with git commit-tree. Without an
// author the token's account is the author, and the committer is the
// author, as GitHub does.
func handleCommitCreate(c *call) {
	dir, ok := c.gitDir()
	if !ok {
		return
	}
	tree := c.str("tree")
	if objectType(dir, tree) != "tree" {
		c.reply(http.StatusUnprocessableEntity, ghError("Tree SHA does not exist"))
		return
	}
	args := []string{"commit-tree", tree}
	parents, _ := c.body["parents"].([]any)
	for _, p := range parents {
		s, _ := p.(string)
		if objectType(dir, s) != "commit" {
			c.reply(http.StatusUnprocessableEntity, ghError("Parent SHA does not exist or is not a commit object"))
			return
		}
		args = append(args, "-p", s)
	}
	person := func(key string, fallback [2]string) [2]string {
		m, ok := c.body[key].(map[string]any)
		if !ok {
			return fallback
		}
		n, _ := m["name"].(string)
		e, _ := m["email"].(string)
		return [2]string{n, e}
	}
	login := c.login
	author := person("author", [2]string{login, login + "@users.noreply.github.com"})
	committer := person("committer", author)
	env := []string{"GIT_AUTHOR_NAME=" + author[0], "GIT_AUTHOR_EMAIL=" + author[1],
		"GIT_COMMITTER_NAME=" + committer[0], "GIT_COMMITTER_EMAIL=" + committer[1]}
	sha, err := runGitIn(dir, env, []byte(c.str("message")), args...)
	if err != nil {
		c.reply(http.StatusUnprocessableEntity, ghError(err.Error()))
		return
	}
	c.reply(http.StatusCreated, c.commitJSON(dir, sha))
}

func handleCommitGet(c *call) {
	dir, ok := c.gitDir()
	if !ok {
		return
	}
	sha := c.params["commit_sha"]
	if objectType(dir, sha) != "commit" {
		c.notFound()
		return
	}
	c.reply(http.StatusOK, c.commitJSON(dir, sha))
}

// commitJSON is the git-commit answer for sha. The fake cannot sign, so
// verification says unsigned.
func (c *call) commitJSON(dir, sha string) map[string]any {
	out := c.f.example("git-commit")
	raw, _ := runGitIn(dir, nil, nil, "log", "-1", "--format=%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B", sha)
	f := strings.SplitN(raw, "\x00", 9)
	for len(f) < 9 {
		f = append(f, "")
	}
	var parents []any
	for _, p := range strings.Fields(f[1]) {
		parents = append(parents, map[string]any{"sha": p, "url": c.f.api("/repos/%s/git/commits/%s", c.repo, p), "html_url": "https://github.com/" + c.repo + "/commit/" + p})
	}
	if parents == nil {
		parents = []any{}
	}
	out["sha"], out["node_id"] = sha, "C_"+sha
	out["url"] = c.f.api("/repos/%s/git/commits/%s", c.repo, sha)
	out["html_url"] = "https://github.com/" + c.repo + "/commit/" + sha
	out["tree"] = map[string]any{"sha": f[0], "url": c.f.api("/repos/%s/git/trees/%s", c.repo, f[0])}
	out["parents"] = parents
	out["author"] = map[string]any{"name": f[2], "email": f[3], "date": f[4]}
	out["committer"] = map[string]any{"name": f[5], "email": f[6], "date": f[7]}
	out["message"] = strings.TrimSuffix(f[8], "\n")
	out["verification"] = map[string]any{"verified": false, "reason": "unsigned", "signature": nil, "payload": nil, "verified_at": nil}
	return out
}

// handleRefUpdate moves a ref; without force the new commit must contain
// the old one (422 "Update is not a fast forward" otherwise).
func handleRefUpdate(c *call) {
	dir, ok := c.gitDir()
	if !ok {
		return
	}
	ref := "refs/" + c.params["ref"]
	old, exists := c.f.refs[c.repo+":"+ref]
	if !exists {
		c.reply(http.StatusUnprocessableEntity, ghError("Reference does not exist"))
		return
	}
	sha := c.str("sha")
	if objectType(dir, sha) == "" {
		c.reply(http.StatusUnprocessableEntity, ghError("Object does not exist"))
		return
	}
	force, _ := c.body["force"].(bool)
	if !force && old != sha {
		if _, err := runGitIn(dir, nil, nil, "merge-base", "--is-ancestor", old, sha); err != nil {
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				c.f.fail(c.r, err.Error())
			}
			c.reply(http.StatusUnprocessableEntity, ghError("Update is not a fast forward"))
			return
		}
	}
	c.f.refs[c.repo+":"+ref] = sha
	c.syncRef(ref, sha)
	c.reply(http.StatusOK, c.refJSON(ref, sha))
}

func handleRefDelete(c *call) {
	if _, ok := c.gitDir(); !ok {
		return
	}
	ref := "refs/" + c.params["ref"]
	if _, ok := c.f.refs[c.repo+":"+ref]; !ok {
		c.reply(http.StatusUnprocessableEntity, ghError("Reference does not exist"))
		return
	}
	delete(c.f.refs, c.repo+":"+ref)
	c.syncRef(ref, "")
	c.f.reply(c.w, c.r, http.StatusNoContent, nil)
}
