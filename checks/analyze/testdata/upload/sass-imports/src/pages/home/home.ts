import { fetchList, Item } from '../../services/list'

Page({
  data: { title: 'Home', items: [] as Item[] },
  async onLoad() {
    const items = await fetchList(1)
    this.setData({ items })
  },
})
