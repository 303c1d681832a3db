/** Formats a date as YYYY-MM-DD hh:mm. */
export function formatTime(date: Date): string {
  const pad = (n: number): string => (n < 10 ? '0' + n : String(n))
  const day = [date.getFullYear(), date.getMonth() + 1, date.getDate()].map(pad).join('-')
  const time = [date.getHours(), date.getMinutes()].map(pad).join(':')
  return `${day} ${time}`
}

export interface Entry {
  id: number
  title: string
  at: Date
}

export function summarise(entries: Entry[]): string {
  if (entries.length === 0) {
    return 'nothing yet'
  }
  const latest = entries.reduce((a, b) => (a.at > b.at ? a : b))
  return `${entries.length} entries, latest ${latest.title} at ${formatTime(latest.at)}`
}
