var a = require('/utils/root.js')      // exists only at root
var b = require('/utils/both.js')      // exists at root and next to this page
var c = require('/utils/rel.js')       // exists only next to this page
var d = require('dep')                 // root miniprogram_npm/dep/index.js
var e = require('missingpkg')          // not built anywhere
var f = require('bundle')
Page({})
