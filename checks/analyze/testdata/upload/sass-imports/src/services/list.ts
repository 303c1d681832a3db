// Reached from the pages; its own imports (core/http, core/cache) are reached only through it.
import { request } from '../core/http'
import { cached } from '../core/cache'

export interface Item {
  id: number
  name: string
}

export async function fetchList(page: number): Promise<Item[]> {
  return cached(`list:${page}`, () => request<Item[]>(`/api/list?page=${page}`))
}
