/**
 * Formatting helpers shared by the pages.
 */
export function pad(n, width = 2) {
  return String(n).padStart(width, '0');
}

export function formatDate(date, withTime = false) {
  const d = date instanceof Date ? date : new Date(date);
  const [y, m, day] = [d.getFullYear(), d.getMonth() + 1, d.getDate()];
  const base = `${y}-${pad(m)}-${pad(day)}`;
  if (!withTime) {
    return base;
  }
  return `${base} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function formatPrice(cents, { currency = '¥', decimals = 2 } = {}) {
  const value = (cents / 100).toFixed(decimals);
  const [int, frac] = value.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${currency}${grouped}${frac ? '.' + frac : ''}`;
}

export const summarize = (items) =>
  items.reduce(
    (acc, { count = 0, price = 0 }) => ({ total: acc.total + count * price, count: acc.count + count }),
    { total: 0, count: 0 },
  );

export function groupBy(list, key) {
  const out = {};
  for (const item of list) {
    const k = typeof key === 'function' ? key(item) : item[key];
    (out[k] = out[k] || []).push(item);
  }
  return out;
}
