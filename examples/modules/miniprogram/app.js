const core = require('./core/index.js')

App({
  onLaunch() {
    core.log('launched')
  }
})
