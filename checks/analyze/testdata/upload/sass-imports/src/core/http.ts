const BASE = 'https://example.invalid'

export function request<T>(url: string, data?: Record<string, unknown>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    wx.request({
      url: BASE + url,
      data,
      success: (res) => {
        if (res.statusCode >= 200 && res.statusCode < 300) {
          resolve(res.data as T)
        } else {
          reject(new Error(`HTTP ${res.statusCode} for ${url}`))
        }
      },
      fail: (err) => reject(new Error(err.errMsg)),
    })
  })
}
