package modules

import (
	"bytes"
	"slices"
	"testing"
)

func TestPlatformAPIUses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []APIUse
	}{
		{"member call", "Page({\n  onLoad() {\n    wx.request({url: 'x'})\n  }\n})\n",
			[]APIUse{{"wx", "request", 3, 8}}},
		{"every namespace", "my.alert(); tt.login(); swan.navigateTo(); qq.getSystemInfo()\n",
			[]APIUse{{"my", "alert", 1, 4}, {"tt", "login", 1, 16}, {"swan", "navigateTo", 1, 30}, {"qq", "getSystemInfo", 1, 47}}},
		{"index and optional chain", "const f = wx['showToast']\nwx?.login()\n",
			[]APIUse{{"wx", "showToast", 1, 14}, {"wx", "login", 2, 5}}},
		{"parameter shadows the global", "function make(wx) { return wx.request }\n", nil},
		{"local variable shadows the global", "const wx = require('./adapter')\nwx.request()\n", nil},
		{"import shadows the global", "import wx from './adapter'\nwx.request()\n", nil},
		{"named and namespace imports", "import {tt} from './a'\nimport * as my from './b'\nimport {x as qq} from './c'\ntt.login(); my.alert(); qq.login()\n", nil},
		{"property named wx", "const a = {wx: 1}; a.wx.request(); obj.wx.login()\n", nil},
		{"string and comment", "// wx.request()\nconst s = 'wx.request()'; const t = `wx.login`\n", nil},
		{"regular expression", "const r = /wx.request/g\n", nil},
		{"other globals", "uni.request(); Taro.request(); window.wx\n", nil},
		{"a use inside a nested function, global", "function a() { return () => wx.getStorageSync('k') }\n",
			[]APIUse{{"wx", "getStorageSync", 1, 32}}},
		{"chinese before the use", "// 请求\nwx.request()\n", []APIUse{{"wx", "request", 2, 4}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := PlatformAPIUses([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestPlatformAPIUsesSyntaxError(t *testing.T) {
	t.Parallel()
	if _, err := PlatformAPIUses([]byte("wx.request(")); err == nil {
		t.Fatal("no error for a script that does not parse")
	}
}

// FuzzPlatformAPIUses: any bytes either parse or fail, never panic, and
// every position found lies inside the source and points at the member.
func FuzzPlatformAPIUses(f *testing.F) {
	for _, s := range []string{"wx.request()", "const wx = 1; wx.a", "import wx from 'a'; wx.b", "my?.['x']", "/* wx.a */ `${wx.b}`", "qq.a\n.b", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		uses, err := PlatformAPIUses(src)
		if err != nil {
			return
		}
		lines := bytes.Split(src, []byte{'\n'})
		for _, u := range uses {
			if u.Line == 0 {
				continue
			}
			if u.Line > len(lines) || u.Col < 1 || u.Col > len(lines[u.Line-1]) {
				t.Fatalf("use %+v outside the source", u)
			}
		}
	})
}
