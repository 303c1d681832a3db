// packageGoods/pages/list/list.js — a page of a normal subpackage.
// It may require the main package's utils: the main package is always there.
const { plural } = require('../../../utils/format.js');
const recommend = require('../../utils/recommend.js');

Page({
  data: { goods: [], title: '' },

  onLoad() {
    const goods = recommend.all();
    this.setData({ goods, title: plural(goods.length, 'product') });
  },
});
