// packageActivity/pages/promo/promo.js — a page of an independent subpackage.
//
// The main package may not be loaded yet, so App() may not have run: plain
// getApp() could return undefined. allowDefault: true returns a default app
// object instead, which App() later fills in (MP208 warns without it).
const app = getApp({ allowDefault: true });
const { remaining } = require('../../utils/countdown.js');
// MP203: an independent subpackage may not use main-package files.
// Fix: copy the helper into packageActivity/utils/.
const { formatPrice } = require('../../../utils/format.js');

Page({
  data: { left: '' },

  onShow() {
    app.globalData = app.globalData || {};
    this.setData({ left: remaining(Date.now()) + ', from ' + formatPrice(990) });
  },

  goShopping() {
    // Switching to a tab loads the main package (preloaded by preloadRule).
    wx.switchTab({ url: '/pages/index/index' });
  },
});
