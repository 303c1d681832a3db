// A small request helper: promisified wx.request with retries.
const DEFAULT_TIMEOUT: number = 8000;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  data?: Record<string, unknown>;
  retries?: number;
  header?: Record<string, string>;
}

export class HttpError extends Error {
  status: number;
  body: unknown;

  constructor(status: number, body: unknown) {
    super(`request failed with status ${status}`);
    this.status = status;
    this.body = body;
  }
}

function wxRequest(options: WechatMiniprogram.RequestOption): Promise<WechatMiniprogram.RequestSuccessCallbackResult> {
  return new Promise((resolve, reject) => {
    wx.request({
      ...options,
      success: (res) => resolve(res),
      fail: (err) => reject(err),
    });
  });
}

export async function request<T = unknown>(url: string, { method = 'GET', data = {}, retries = 2, ...rest }: RequestOptions = {}): Promise<T> {
  let lastError: unknown = null;
  for (let attempt = 0; attempt <= retries; attempt++) {
    try {
      const res = await wxRequest({ url, method, data, timeout: DEFAULT_TIMEOUT, ...rest });
      if (res.statusCode >= 400) {
        throw new HttpError(res.statusCode, res.data);
      }
      return res.data as T;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
    }
  }
  throw lastError;
}

export const get = <T = unknown>(url: string, data?: Record<string, unknown>) => request<T>(url, { data });
export const post = <T = unknown>(url: string, data?: Record<string, unknown>) => request<T>(url, { method: 'POST', data });
