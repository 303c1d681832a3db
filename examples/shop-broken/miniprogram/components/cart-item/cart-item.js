// A page-level component: only pages/cart/cart.json lists it.
Component({
  properties: {
    item: { type: Object, value: {} },
  },
  methods: {
    remove() {
      this.triggerEvent('remove', { id: this.data.item.id });
    },
  },
});
