const core = require('../../../core/index.js')
const format = require('../../../shared/format.js')

Page({
  data: { items: [], total: '' },
  onLoad() {
    core.fetchCart().then((res) => {
      const items = res.data.items || []
      const cents = items.reduce((sum, item) => sum + item.cents, 0)
      this.setData({ items, total: format.price(cents) })
    }, () => core.toast('The cart could not be loaded'))
  }
})
