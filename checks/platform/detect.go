package platform

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// FileSet is what Detect needs of a project directory: whether a file exists
// (paths relative to the project directory, with "/"). When it also
// implements ReadFile, Detect reads project.config.json for markers.
type FileSet interface {
	Exists(path string) bool
}

// FileReader is implemented by FileSets that can read a file.
type FileReader interface {
	ReadFile(path string) ([]byte, error)
}

// maxConfigBytes caps how much of project.config.json Detect reads.
const maxConfigBytes = 1 << 20

// Detect picks the platform of the project in a directory and says why, for
// the report. files answers for the project directory; names lists the
// project's files (relative paths with "/"), of which only the template
// extensions are looked at. In order:
//
//  1. mini.project.json → Alipay; project.swan.json → Baidu (their own files).
//  2. project.config.json with a QQ marker (a "qqappid" key, or an all-digit
//     appid: QQ appids are numbers) → QQ; with an appid starting "tt"
//     (Douyin appids do) → Douyin; starting "wx" → WeChat.
//  3. The template extension most files have: .axml Alipay, .swan Baidu,
//     .ttml Douyin, .qml QQ, .wxml WeChat.
//  4. A project.config.json without markers → WeChat; nothing at all → WeChat.
func Detect(files FileSet, names []string) (ID, string) {
	if id, why, ok := detectProjectFiles(files); ok {
		return id, why
	}
	if id, why, ok := detectTemplates(names); ok {
		return id, why
	}
	if files != nil && files.Exists("project.config.json") {
		return WeChat, "project.config.json without Douyin or QQ markers, and no template files"
	}
	return WeChat, "no project file or template files found; assuming WeChat"
}

// detectProjectFiles decides from the platforms' project files alone.
func detectProjectFiles(files FileSet) (ID, string, bool) {
	if files != nil {
		if files.Exists("mini.project.json") {
			return Alipay, "mini.project.json present (Alipay's project file)", true
		}
		if files.Exists("project.swan.json") {
			return Baidu, "project.swan.json present (Baidu's project file)", true
		}
	}
	if files != nil && files.Exists("project.config.json") {
		if rd, ok := files.(FileReader); ok {
			if src, err := rd.ReadFile("project.config.json"); err == nil && len(src) <= maxConfigBytes {
				if id, why, ok := DetectProjectConfig(src); ok {
					return id, why, true
				}
			}
		}
	}
	return "", "", false
}

// DetectProjectConfig looks for platform markers in a project.config.json.
// ok is false when the file names no platform (no appid, or an appid of
// unknown form such as "touristappid").
func DetectProjectConfig(src []byte) (ID, string, bool) {
	var cfg map[string]json.RawMessage
	if json.Unmarshal(src, &cfg) != nil {
		return "", "", false
	}
	if _, ok := cfg["qqappid"]; ok {
		return QQ, `project.config.json has a "qqappid" key (QQ DevTools)`, true
	}
	var appid string
	if raw, ok := cfg["appid"]; ok && json.Unmarshal(raw, &appid) == nil {
		switch {
		case strings.HasPrefix(appid, "tt") && len(appid) > 2:
			return Douyin, fmt.Sprintf("project.config.json appid %q starts with \"tt\" (Douyin)", appid), true
		case strings.HasPrefix(appid, "wx") && len(appid) > 2:
			return WeChat, fmt.Sprintf("project.config.json appid %q starts with \"wx\" (WeChat)", appid), true
		case appid != "" && strings.Trim(appid, "0123456789") == "":
			return QQ, fmt.Sprintf("project.config.json appid %q is numeric (QQ)", appid), true
		}
	}
	return "", "", false
}

var templateExts = []struct {
	ext string
	id  ID
}{{".wxml", WeChat}, {".axml", Alipay}, {".ttml", Douyin}, {".swan", Baidu}, {".qml", QQ}}

func detectTemplates(names []string) (ID, string, bool) {
	counts := make([]int, len(templateExts))
	for _, n := range names {
		if strings.Contains("/"+n+"/", "/node_modules/") {
			continue
		}
		ext := strings.ToLower(path.Ext(n))
		for i, t := range templateExts {
			if ext == t.ext {
				counts[i]++
			}
		}
	}
	best := -1
	for i, c := range counts {
		if c > 0 && (best < 0 || c > counts[best]) {
			best = i
		}
	}
	if best < 0 {
		return "", "", false
	}
	t := templateExts[best]
	return t.id, fmt.Sprintf("%d %s template files", counts[best], t.ext), true
}

// decidedTemplates: once this many template files of one platform and none
// of another have been seen, the rest of the walk cannot reasonably change
// the majority (a second listing of a large tree costs as much as the
// analysis's own walk).
const decidedTemplates = 500

// decided reports whether names, the files listed so far, settle the
// template majority; counted every 256 files.
func decided(names []string) bool {
	if len(names)%256 != 0 {
		return false
	}
	counts := make([]int, len(templateExts))
	for _, n := range names {
		ext := strings.ToLower(path.Ext(n))
		for i, t := range templateExts {
			if ext == t.ext && !strings.Contains("/"+n+"/", "/node_modules/") {
				counts[i]++
			}
		}
	}
	kinds, most := 0, 0
	for _, c := range counts {
		if c > 0 {
			kinds++
		}
		most = max(most, c)
	}
	return kinds == 1 && most >= decidedTemplates
}

// maxDetectFiles caps how many files DetectFS looks at for template extensions.
const maxDetectFiles = 20000

// DetectFS runs Detect on a file system rooted at the project directory (for
// example tree.RootFS, which opens nothing outside the directory and no
// special file): it reads project.config.json and collects file names
// for the template step, skipping node_modules and dot-directories, and
// looking at no more than 20,000 files.
func DetectFS(fsys fs.FS) (ID, string) {
	// The project files decide before any template: the walk is only
	// needed without them (it lists up to maxDetectFiles files).
	if id, why, ok := detectProjectFiles(fsFiles{fsys}); ok {
		return id, why
	}
	var names []string
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable parts only weaken the guess
		}
		if d.IsDir() {
			if p != "." && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
				return fs.SkipDir
			}
			return nil
		}
		names = append(names, p)
		if len(names) >= maxDetectFiles || decided(names) {
			return fs.SkipAll
		}
		return nil
	})
	return Detect(fsFiles{fsys}, names)
}

type fsFiles struct{ fsys fs.FS }

func (f fsFiles) Exists(p string) bool {
	st, err := fs.Stat(f.fsys, p)
	return err == nil && !st.IsDir()
}

func (f fsFiles) ReadFile(p string) ([]byte, error) {
	file, err := f.fsys.Open(p)
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	defer file.Close()
	b, err := io.ReadAll(io.LimitReader(file, maxConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("detect: reading %s: %w", p, err)
	}
	return b, nil
}
