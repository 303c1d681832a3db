var l = require('local')     // pages/b/miniprogram_npm/local/index.js
var d = require('dep/sub')   // root miniprogram_npm/dep/sub.js
var m = require('@scope/missing/x')
Page({})
