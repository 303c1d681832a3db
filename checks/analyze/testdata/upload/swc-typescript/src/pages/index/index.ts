import { formatTime, summarise, Entry } from '../../utils/format'

Page({
  data: {
    now: '',
    summary: '',
    entries: [] as Entry[],
  },
  onLoad() {
    const entries: Entry[] = [
      { id: 1, title: 'first', at: new Date(2026, 0, 1) },
      { id: 2, title: 'second', at: new Date(2026, 5, 1) },
    ]
    this.setData({ now: formatTime(new Date()), summary: summarise(entries), entries })
  },
  onAdd() {
    const entries = this.data.entries.concat({ id: this.data.entries.length + 1, title: 'new', at: new Date() })
    this.setData({ entries, summary: summarise(entries) })
    wx.showToast({ title: 'added' })
  },
  onClear() {
    // start over
    this.setData({ entries: [], summary: summarise([]) })
  },
})
