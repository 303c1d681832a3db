// Package examples holds the bundled example mini-programs (shop, a clean
// native WeChat program, and shop-broken, the same with one broken rule per
// place) and the test that runs the engine on both.
package examples
