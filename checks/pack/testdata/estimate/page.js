const api = require('../../utils/api.js')
const app = getApp()

Page({
  data: {
    list: [],
    loading: false,
  },
  async onLoad(options) {
    const { id } = options
    const res = await api.get(`/items/${id}`)
    this.setData({ list: [...res.items], loading: false })
  },
  onTap(e) {
    const index = e.currentTarget.dataset.index
    wx.navigateTo({ url: '/pages/detail/detail?id=' + index })
  },
})
