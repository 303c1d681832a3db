// A global component: app.json lists it in usingComponents, so every page
// of the main package and of the normal subpackages may use <price-tag>.
const { formatPrice } = require('../../utils/format.js');

Component({
  properties: {
    fen: { type: Number, value: 0 },
  },
  data: { label: '' },
  observers: {
    fen(value) {
      this.setData({ label: formatPrice(value) });
    },
  },
});
