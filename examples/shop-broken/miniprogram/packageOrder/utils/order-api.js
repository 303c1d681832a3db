// packageOrder/utils/order-api.js — the main package's cart page loads this
// with require.async, so packageOrder is downloaded only at checkout.
let orders = [];

function createOrder(items) {
  const fen = items.reduce((sum, it) => sum + it.fen * it.count, 0);
  const order = { id: orders.length + 1, fen };
  orders = orders.concat(order);
  return Promise.resolve(order);
}

function listOrders() {
  return Promise.resolve(orders);
}

module.exports = { createOrder, listOrders };
