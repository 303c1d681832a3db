package scan

import (
	"bytes"
	"fmt"
)

// pageTemplate builds a realistic WXML page of at least size bytes.
func pageTemplate(size int) []byte {
	var b bytes.Buffer
	b.WriteString("<import src=\"/templates/item.wxml\"/>\n<wxs src=\"../../utils/fmt.wxs\" module=\"fmt\"/>\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `<view class="card card-%d" wx:for="{{list}}" wx:key="id" bindtap="onTap" data-id="{{item.id}}">
  <!-- card %d <image src="/no.png"/> -->
  <image class="thumb" src="/images/thumb-%d.png" mode="aspectFill" lazy-load/>
  <image src="{{item.cover}}"/>
  <text class="title">{{item.title}} {{fmt.price(item.price)}} {{a < b ? 'x' : 'y'}}</text>
  <template is="item" data="{{...item}}"/>
  <my-badge count="{{item.n}}"></my-badge>
</view>
`, i, i, i)
	}
	return b.Bytes()
}

// stylesheet builds a realistic WXSS file of at least size bytes.
func stylesheet(size int) []byte {
	var b bytes.Buffer
	b.WriteString("@import \"/styles/common.wxss\";\n@import url('./theme.wxss');\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `/* block %d url(no.png) */
.card-%d { display: flex; padding: 24rpx 32rpx; background: #fff url("/images/bg-%d.png") no-repeat center / cover; }
.card-%d .title::after { content: "url(no.png)"; color: rgba(0, 0, 0, .6); background-image: url(https://cdn.example.com/x.png); }
`, i, i, i, i)
	}
	return b.Bytes()
}
