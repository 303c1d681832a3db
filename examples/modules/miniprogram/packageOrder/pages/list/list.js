const core = require('../../../core/index.js')

Page({
  data: { orders: [] },
  onLoad() {
    core.fetchOrders().then((res) => this.setData({ orders: res.data.orders || [] }))
  }
})
