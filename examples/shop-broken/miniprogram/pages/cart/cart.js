// pages/cart/cart.js — the cart tab.
const app = getApp();

Page({
  data: {
    items: [{ id: 1, title: 'Green tea', fen: 1800, count: 2 }],
  },

  checkout() {
    // The order API lives in the packageOrder subpackage. A plain require()
    // from the main package would be MP202; require.async downloads the
    // subpackage first and is allowed across packages.
    require.async('../../packageOrder/utils/order-api.js').then((api) => {
      api.createOrder(this.data.items).then((order) => {
        app.globalData.cartCount = 0;
        wx.navigateTo({ url: '/packageOrder/pages/list/list?new=' + order.id });
      });
    });
  },

  onRemove(e) {
    const items = this.data.items.filter((it) => it.id !== e.detail.id);
    this.setData({ items });
  },
});
