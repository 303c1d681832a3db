const platform = require('../../adapters/platform.js')

const base = 'https://api.example.com'

function get(path) {
  return platform.request({ url: base + path, method: 'GET' })
}

module.exports = { get }
