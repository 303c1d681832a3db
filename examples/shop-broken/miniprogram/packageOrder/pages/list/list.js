// packageOrder/pages/list/list.js
const { formatPrice } = require('../../../utils/format.js');
const api = require('../../utils/order-api.js');
// MP201: packageOrder requires packageGoods JS synchronously.
// Fix: load it with require.async, or move recommend.js to the main package.
const recommend = require('../../../packageGoods/utils/recommend.js');

Page({
  data: { orders: [], picks: recommend.forUser('me') },

  onShow() {
    api.listOrders().then((orders) => {
      this.setData({
        orders: orders.map((o) => ({ id: o.id, total: formatPrice(o.fen) })),
      });
    });
  },
});
