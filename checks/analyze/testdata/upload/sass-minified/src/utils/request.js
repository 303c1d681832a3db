// A small request helper: promisified wx.request with retries.
const DEFAULT_TIMEOUT = 8000;

export class HttpError extends Error {
  constructor(status, body) {
    super(`request failed with status ${status}`);
    this.status = status;
    this.body = body;
  }
}

function wxRequest(options) {
  return new Promise((resolve, reject) => {
    wx.request({
      ...options,
      success: (res) => resolve(res),
      fail: (err) => reject(err),
    });
  });
}

export async function request(url, { method = 'GET', data = {}, retries = 2, ...rest } = {}) {
  let lastError = null;
  for (let attempt = 0; attempt <= retries; attempt++) {
    try {
      const res = await wxRequest({ url, method, data, timeout: DEFAULT_TIMEOUT, ...rest });
      if (res.statusCode >= 400) {
        throw new HttpError(res.statusCode, res.data);
      }
      return res.data;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
    }
  }
  throw lastError;
}

export const get = (url, data) => request(url, { data });
export const post = (url, data) => request(url, { method: 'POST', data });
