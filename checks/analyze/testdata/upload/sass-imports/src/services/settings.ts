import { request } from '../core/http'

export interface Settings {
  theme: 'light' | 'dark'
  fontSize: number
}

export async function loadSettings(): Promise<Settings> {
  const s = await request<Settings>('/api/settings')
  return { theme: s.theme || 'light', fontSize: s.fontSize || 28 }
}
