// utils/format.js — main-package helpers, shared by main pages and by the
// normal subpackages packageGoods and packageOrder.

/**
 * formatPrice turns a price in fen (1/100 yuan) into "¥12.34".
 * @param {number} fen
 * @returns {string}
 */
function formatPrice(fen) {
  const yuan = Math.floor(fen / 100);
  const rest = String(fen % 100).padStart(2, '0');
  return '¥' + yuan + '.' + rest;
}

/**
 * plural picks a word for a count: plural(1, 'item') → "1 item".
 */
function plural(n, word) {
  return n + ' ' + word + (n === 1 ? '' : 's');
}

module.exports = { formatPrice, plural };
