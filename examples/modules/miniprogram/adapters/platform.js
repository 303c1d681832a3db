// The one place that knows which platform runs the program.
function request(options) {
  return new Promise((resolve, reject) => {
    wx.request(Object.assign({}, options, { success: resolve, fail: reject }))
  })
}

function toast(title) {
  wx.showToast({ title, icon: 'none' })
}

function log(message) {
  console.log('[app]', message)
}

module.exports = { request, toast, log }
