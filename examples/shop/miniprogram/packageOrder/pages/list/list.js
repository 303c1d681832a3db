// packageOrder/pages/list/list.js
const { formatPrice } = require('../../../utils/format.js');
const api = require('../../utils/order-api.js');

Page({
  data: { orders: [] },

  onShow() {
    api.listOrders().then((orders) => {
      this.setData({
        orders: orders.map((o) => ({ id: o.id, total: formatPrice(o.fen) })),
      });
    });
  },
});
