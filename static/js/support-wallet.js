/* Wallets (Apple Pay, Google Pay, Link) through Stripe's payment request button, shown only when
   `canMakePayment()` says the browser can pay with one. The support page says what to charge and
   what to do with the payment method; this file only talks to Stripe.js. */
(function () {
  "use strict";

  var unavailable = { update: function () {} };

  /* options: stripe, elements, country, currency, requestPayer, container (hidden until usable),
     total() → {label, amount}, onPaymentMethod(event), onCancel(). Returns {update()}. */
  function setUpWallet(options) {
    if (typeof options.stripe.paymentRequest !== "function") {
      return unavailable;
    }
    var request;
    try {
      request = options.stripe.paymentRequest({
        country: options.country,
        currency: options.currency.toLowerCase(),
        total: options.total(),
        requestPayerEmail: options.requestPayer,
        requestPayerName: options.requestPayer,
      });
    } catch (error) {
      return unavailable;
    }
    Promise.resolve(request.canMakePayment())
      .then(function (can) {
        if (!can) {
          return;
        }
        var button = options.elements.create("paymentRequestButton", { paymentRequest: request });
        button.mount(options.container.querySelector("[data-wallet-button]"));
        options.container.hidden = false;
      })
      .catch(function () {});
    request.on("cancel", options.onCancel);
    request.on("paymentmethod", options.onPaymentMethod);
    return {
      update: function () {
        try {
          request.update({ total: options.total() });
        } catch (error) {
          /* the wallet sheet is open: it keeps the amount it was opened with */
        }
      },
    };
  }

  window.ReaderRevenue.setUpWallet = setUpWallet;
})();
