const app = getApp()
const independent = getApp({ allowDefault: true })
const format = require('../../utils/format')
const api = require("../../services/api.js")

Page({
  data: { list: [], loading: false, re: /require\('no'\)/g, text: "require('no')" },
  async onLoad(query) {
    this.setData({ loading: true })
    const { fetchList } = await import('../../services/list.js')
    const list = await fetchList(query.id ?? app.globalData.defaultId)
    this.setData({ list: list.map(format.item), loading: false })
  },
  onShareAppMessage() {
    return { title: `Goods ${this.data.list.length}`, path: '/pages/index/index' }
  },
})
