Component({
  properties: {
    item: { type: Object, value: {} },
  },
  methods: {
    handleTap() {
      const { item } = this.properties;
      this.triggerEvent('tap', { id: item.id, ...item });
    },
  },
});
