// pages/index/index.js — the home tab.
//
// index.json uses <goods-card>, a component of the packageGoods subpackage.
// That is legal only because index.json also gives it a componentPlaceholder
// ("view"): the page renders a plain view until packageGoods has been
// downloaded, then swaps the real component in (MP204 otherwise).
const { plural } = require('../../utils/format.js');
// MP202: a plain require from the main package into packageGoods.
// Fix: require('../../packageGoods/utils/recommend.js', cb) or require.async.
const recommend = require('../../packageGoods/utils/recommend.js');

Page({
  data: {
    hot: [
      { id: 1, title: 'Green tea', fen: 1800 },
      { id: 2, title: 'Oolong', fen: 2600 },
    ],
    summary: '',
  },

  onLoad() {
    this.setData({ summary: plural(recommend.all().length, 'offer') });
  },

  openGoods(e) {
    wx.navigateTo({ url: '/packageGoods/pages/detail/detail?id=' + e.currentTarget.dataset.id });
  },

  openPromo() {
    // Navigating into the independent subpackage needs no code from it.
    wx.navigateTo({ url: '/packageActivity/pages/promo/promo' });
  },
});
