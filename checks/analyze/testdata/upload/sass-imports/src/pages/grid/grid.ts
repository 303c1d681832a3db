import { fetchList } from '../../services/list'

Page({
  data: { title: 'Grid', cells: [] as number[] },
  onLoad() {
    fetchList(2).then((items) => this.setData({ cells: items.map((i) => i.id) }))
  },
})
