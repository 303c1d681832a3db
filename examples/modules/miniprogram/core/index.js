// core's public entry: what the features may use.
const http = require('./internal/http.js')
const platform = require('../adapters/platform.js')

module.exports = {
  fetchCart: () => http.get('/cart'),
  fetchOrders: () => http.get('/orders'),
  toast: platform.toast,
  log: platform.log
}
