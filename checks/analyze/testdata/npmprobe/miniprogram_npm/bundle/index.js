module.exports = (function() {
var __MODS__ = {};
var __DEFINE__ = function(modId, func, req) { var m = { exports: {}, _tempexports: {} }; __MODS__[modId] = { status: 0, func: func, req: req, m: m }; };
var __REQUIRE__ = function(modId, source) { if(!__MODS__[modId]) return require(source); return __MODS__[modId].m.exports; };
__DEFINE__(1, function(require, module, exports) {
var core = require('./core'); var o = require('dep'); var n = require('notbuilt');
}, function(modId) {var map = {"./core":2}; return __REQUIRE__(map[modId], modId); })
__DEFINE__(2, function(require, module, exports) {
module.exports = 1
}, function(modId) { var map = {}; return __REQUIRE__(map[modId], modId); })
return __REQUIRE__(1);
})()
//miniprogram-npm-outsideDeps=["dep","notbuilt"]
