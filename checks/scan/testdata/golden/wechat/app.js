// app.js — the main package's app script
import { track } from './utils/track'
const config = require('./config/index.js')
const { version } = require('./package.json')

App({
  globalData: { userInfo: null, version },
  onLaunch(options) {
    track('launch', options)
    // Preload a subpackage's module without blocking launch.
    require.async('./packageSkyline/common/custom-route/index.js').then(route => route.install())
    require('../packageB/utils/late.js', mod => mod.init(), ({ errMsg }) => console.error(errMsg))
    const plugin = requirePlugin('myPlugin')
    requirePlugin.async('lazyPlugin').then(p => p.warm?.())
  },
  loadLocale(lang) {
    return require(`./locales/${lang}.js`)
  },
})
