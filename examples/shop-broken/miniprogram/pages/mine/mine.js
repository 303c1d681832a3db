// pages/mine/mine.js — the "me" tab.
Page({
  data: { picks: [] },

  onShow() {
    // require(path, callback, errorCallback) is the callback form of an
    // asynchronous require: legal across packages, like require.async.
    require('../../packageGoods/utils/recommend.js', (recommend) => {
      this.setData({ picks: recommend.forUser('me') });
    }, ({ errMsg }) => {
      console.warn('recommendations unavailable:', errMsg);
    });
  },
});
