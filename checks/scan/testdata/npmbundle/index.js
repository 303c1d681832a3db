module.exports = (function() {
var __MODS__ = {};
var __DEFINE__ = function(modId, func, req) { var m = { exports: {}, _tempexports: {} }; __MODS__[modId] = { status: 0, func: func, req: req, m: m }; };
var __REQUIRE__ = function(modId, source) { if(!__MODS__[modId]) return require(source); if(!__MODS__[modId].status) { var m = __MODS__[modId].m; __MODS__[modId].status = 1; __MODS__[modId].func(__MODS__[modId].req, m, m.exports); } return __MODS__[modId].m.exports; };
var __REQUIRE_DEFAULT__ = function(obj) { return obj && obj.__esModule ? obj.default : obj; };
__DEFINE__(1770445838179, function(require, module, exports) {
var __TEMP__ = require('./demo/utils');var utils = __REQUIRE_DEFAULT__(__TEMP__);
var dep = require("outside-dep");
module.exports = function () { return require('./lazy') }
}, function(modId) {var map = {"./demo/utils":1770445838180,"./lazy":1770445838181}; return __REQUIRE__(map[modId], modId); })
__DEFINE__(1770445838180, function(require, module, exports) {
var barcode = require('./barcode');
}, function(modId) { var map = {"./barcode":1770445838181}; return __REQUIRE__(map[modId], modId); })
__DEFINE__(1770445838181, function(require, module, exports) {
module.exports = 1
}, function(modId) { var map = {}; return __REQUIRE__(map[modId], modId); })
return __REQUIRE__(1770445838179);
})()
//miniprogram-npm-outsideDeps=["outside-dep"]
//# sourceMappingURL=index.js.map
