const format = require('../../format.js')

Component({
  properties: { cents: { type: Number, value: 0 } },
  observers: {
    cents(v) {
      this.setData({ text: format.price(v) })
    }
  },
  data: { text: '' }
})
