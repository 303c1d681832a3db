// packageActivity/utils/countdown.js — the independent subpackage keeps its
// own helpers: it may not require main-package utils (MP203).
let deadline = 0;

function startCountdown(until) {
  deadline = until;
}

function remaining(now) {
  const ms = Math.max(0, deadline - now);
  const h = Math.floor(ms / 3600000);
  const m = Math.floor((ms % 3600000) / 60000);
  return h + 'h ' + m + 'm';
}

module.exports = { startCountdown, remaining };
