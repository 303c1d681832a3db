import { get } from '../../utils/request';
import { formatDate, formatPrice, summarize } from '../../utils/format';

const app = getApp();

Page({
  data: {
    title: 'Today',
    items: [],
    loading: false,
  },
  async onLoad(query) {
    const { category = 'all' } = query;
    this.setData({ loading: true, title: `Today · ${formatDate(new Date())}` });
    try {
      const list = await get('https://example.com/api/items', { category });
      const items = list.map(({ id, name, price, desc }) => ({
        id,
        title: name,
        desc: `${desc} (${formatPrice(price)})`,
      }));
      const { total, count } = summarize(list);
      this.setData({ items, summary: `${count} items, ${formatPrice(total)}` });
    } finally {
      this.setData({ loading: false });
    }
  },
  onTap(e) {
    const { item } = e.currentTarget.dataset;
    wx.navigateTo({ url: `/pages/list/list?id=${item ? item.id : ''}` });
  },
  onShareAppMessage() {
    return { title: this.data.title, path: '/pages/index/index', ...app.globalData.share };
  },
});
