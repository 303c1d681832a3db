// The app: reads what it stored last time.
App({
  globalData: { visits: 0 },
  onLaunch() {
    // how often the app was opened
    const visits = (wx.getStorageSync('visits') as number) || 0
    this.globalData.visits = visits + 1
    wx.setStorageSync('visits', visits + 1)
    console.log('visits', visits + 1)
  },
})
