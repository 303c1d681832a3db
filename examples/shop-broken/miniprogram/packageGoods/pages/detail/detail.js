// packageGoods/pages/detail/detail.js
const { formatPrice } = require('../../../utils/format.js');
const recommend = require('../../utils/recommend.js');
// MP210: there is no packageGoods/utils/stock.js.
// Fix: create it, or correct the path.
const stock = require('../../utils/stock.js');

Page({
  data: { goods: null, price: '' },

  onLoad(query) {
    const goods = recommend.byId(Number(query.id)) || recommend.all()[0];
    this.setData({ goods, price: formatPrice(goods.fen), inStock: stock.has(goods.id) });
  },
});
