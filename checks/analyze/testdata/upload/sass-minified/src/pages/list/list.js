import { post } from '../../utils/request';
import { groupBy } from '../../utils/format';

Page({
  data: { rows: [] },
  async onLoad({ id }) {
    const result = await post('https://example.com/api/list', { id });
    const groups = groupBy(result.rows || [], (r) => r.kind);
    const rows = Object.keys(groups).map((kind) => ({ name: kind, count: groups[kind].length }));
    this.setData({ rows: [...rows].sort((a, b) => b.count - a.count) });
  },
});
