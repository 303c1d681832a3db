// app.js — the app script. App() may only be called here, in the main
// package (rule MP207).
const { formatPrice } = require('./utils/format.js');

App({
  globalData: {
    currency: 'CNY',
    cartCount: 0,
  },

  onLaunch() {
    // Utilities of the main package are available to every normal
    // subpackage, because the main package is always downloaded first.
    console.log('shop started, free shipping above', formatPrice(9900));
  },
});
