<qs module="q" src="./index.qs"></qs>
<qs module="inl">var m = require('./more.qs'); module.exports = m;</qs>
<include src="/common/head.qml"/>
<view qq:for="{{list}}"><image src="/images/{{item}}.png"/><audio src="./ding.mp3" poster="./cover.jpg"/></view>
