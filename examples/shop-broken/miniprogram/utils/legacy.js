// MP305: nothing requires this file any more; it only costs upload bytes
// (WeChat drops it only because ignoreUploadUnusedFiles is on).
// Fix: delete it.
function oldFormatPrice(fen) {
  return (fen / 100).toFixed(2) + ' yuan';
}

module.exports = { oldFormatPrice };
