const core = require('../../core/index.js')

Page({
  openCart() {
    core.log('open cart')
  }
})
