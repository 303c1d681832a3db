// packageGoods/components/goods-card — used by this package's list page,
// and by the main package's home page through a componentPlaceholder.
const recommend = require('../../utils/recommend.js');

Component({
  properties: {
    goodsId: { type: Number, value: 0 },
  },
  data: { goods: null },
  lifetimes: {
    attached() {
      this.setData({ goods: recommend.byId(this.data.goodsId) });
    },
  },
});
