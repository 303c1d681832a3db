// packageActivity/entry.js — the subpackage's `entry` (app.json). WeChat runs
// it first whenever this independent subpackage is injected, even when the
// main package has not been downloaded yet (say, a user opens the promo page
// from a shared card). An entry counts as a root for unused-file analysis.
const { startCountdown } = require('./utils/countdown.js');

startCountdown(Date.now() + 24 * 3600 * 1000);
