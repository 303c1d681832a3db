import { get } from './utils/request';

App({
  globalData: { user: null, settings: {} },
  async onLaunch() {
    try {
      const settings = await get('https://example.com/api/settings');
      this.globalData.settings = { ...this.globalData.settings, ...settings };
    } catch (e) {
      console.warn('settings unavailable', e);
    }
  },
});
