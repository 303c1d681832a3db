import { loadSettings } from './services/settings'

App({
  onLaunch() {
    loadSettings()
  },
})
