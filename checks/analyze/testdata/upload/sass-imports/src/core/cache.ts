const store = new Map<string, { at: number; value: unknown }>()
const TTL = 60 * 1000

export async function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
  const hit = store.get(key)
  if (hit && Date.now() - hit.at < TTL) {
    return hit.value as T
  }
  const value = await load()
  store.set(key, { at: Date.now(), value })
  return value
}
