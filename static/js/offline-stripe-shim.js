/* Development only (STRIPE_OFFLINE_SHIM): localstripe's Stripe.js stand-in lacks createPaymentMethod and
   handleNextAction, and resolves a failed 3-D Secure without `error`. This adds them on top, answering as
   Stripe.js does, so the page's code (written for real Stripe.js) runs unchanged in the demo. The card the
   reader typed is sent to our server (checkout/offline_stripe.py), which makes the `pm_…` on localstripe.
   Loaded right after the stand-in; the endpoint and the CSRF token come from this tag's data- attributes. */
(function () {
  "use strict";

  var settings = document.currentScript.dataset;
  var standIn = window.Stripe;
  if (typeof standIn !== "function") {
    return;
  }

  function stripeError(code, message) {
    return { error: { code: code, message: message } };
  }

  /* What localstripe's card element holds: {card: {number, exp_month, exp_year, cvc}, postal_code}. */
  async function createPaymentMethod(data) {
    var card = data && data.card && data.card.value && data.card.value.card;
    if (!card || !card.number) {
      return stripeError("incomplete_number", "Your card number is incomplete.");
    }
    var response;
    try {
      response = await fetch(settings.paymentMethodsUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": settings.csrfToken },
        body: JSON.stringify({
          number: card.number,
          exp_month: card.exp_month,
          exp_year: card.exp_year,
          cvc: card.cvc,
        }),
      });
    } catch (networkError) {
      return stripeError("processing_error", "The card could not be processed. Please try again.");
    }
    var body = await response.json().catch(function () {
      return {};
    });
    if (response.ok && body.paymentMethod) {
      return { paymentMethod: body.paymentMethod };
    }
    var error = body.error || {};
    return stripeError(error.code || "processing_error", error.message || "The card could not be processed.");
  }

  window.Stripe = function (key) {
    var stripe = standIn(key);
    stripe.createPaymentMethod = createPaymentMethod;
    stripe.handleNextAction = async function (options) {
      var result = await stripe.confirmCardPayment(options.clientSecret);
      var intent = result && result.paymentIntent;
      if (result && !result.error && intent && intent.last_payment_error) {
        return { error: intent.last_payment_error, paymentIntent: intent };
      }
      return result;
    };
    return stripe;
  };
})();
