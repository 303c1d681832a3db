package scan_test

import (
	"fmt"

	"github.com/mpgate/mpgate/checks/platform"
	"github.com/mpgate/mpgate/checks/scan"
)

func ExampleJS() {
	src := []byte(`const a = require('./a') // require('./not-this')
require('../packageB/x.js', m => m.run())
const lang = getLang(); require('./locales/' + lang)`)
	r := scan.JS(src)
	for _, ref := range r.Refs {
		fmt.Printf("%d:%d %s %q dynamic=%v async=%v\n", ref.Line, ref.Col, ref.Kind, ref.Path, ref.Dynamic, ref.Kind.Async())
	}
	// Output:
	// 1:19 require "./a" dynamic=false async=false
	// 2:9 require with callback "../packageB/x.js" dynamic=false async=true
	// 3:33 require "'./locales/' + lang" dynamic=true async=false
}

func ExampleTemplate() {
	p, _ := platform.Get(platform.Alipay)
	src := []byte(`<import-sjs from="./fmt.sjs" name="fmt"/>
<image src="/images/logo.png"/><image src="{{icon}}"/><!-- <import src="old.axml"/> -->`)
	r := scan.Template(src, p)
	for _, ref := range r.Refs {
		fmt.Printf("%d:%d %s %q dynamic=%v\n", ref.Line, ref.Col, ref.Kind, ref.Path, ref.Dynamic)
	}
	fmt.Println(r.Tags)
	// Output:
	// 1:18 script module "./fmt.sjs" dynamic=false
	// 2:12 resource "/images/logo.png" dynamic=false
	// 2:43 resource "{{icon}}" dynamic=true
	// [image import-sjs]
}

func ExampleStyle() {
	r := scan.Style([]byte(`@import "common.wxss"; .a { background: url(./bg.png), url(https://cdn.example.com/x.png) }`))
	for _, ref := range r.Refs {
		fmt.Printf("%d:%d %s %q\n", ref.Line, ref.Col, ref.Kind, ref.Path)
	}
	// Output:
	// 1:9 style @import "common.wxss"
	// 1:45 style url() "./bg.png"
}
