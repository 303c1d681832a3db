// packageGoods/utils/recommend.js — lives in packageGoods. Other packages
// may only load it asynchronously: require(path, callback) or require.async.
const catalog = [
  { id: 1, title: 'Green tea', fen: 1800 },
  { id: 2, title: 'Oolong', fen: 2600 },
  { id: 3, title: 'Pu-erh', fen: 5200 },
];

module.exports = {
  all() {
    return catalog.slice();
  },
  byId(id) {
    return catalog.find((g) => g.id === id);
  },
  forUser() {
    return catalog.slice(0, 2);
  },
};
