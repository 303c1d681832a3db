// Package examples holds the bundled example mini-programs — shop, a clean
// native WeChat program; shop-broken, the same with one broken rule per
// place; modules, a program split into modules with boundaries
// (docs/modules.md) — and the tests that run the engine on them.
package examples
