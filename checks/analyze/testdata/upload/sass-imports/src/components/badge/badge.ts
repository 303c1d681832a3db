Component({
  properties: { count: { type: Number, value: 0 }, color: { type: String, value: 'red' } },
})
