const { shared, timing } = wx.worklet

Page({
  onLoad() {
    const height = shared(0)
    this.height = height
    this.applyAnimatedStyle('.sheet', () => {
      'worklet'
      return { height: `${height.value}px` }
    })
  },
  open: function () {
    'worklet'
    this.height.value = timing(320, { duration: 250 })
  },
})
