/* Development only (STRIPE_OFFLINE_SHIM): localstripe's Stripe.js stand-in lacks createPaymentMethod and
   handleNextAction, and resolves a failed 3-D Secure without `error`. This adds them on top, answering as
   Stripe.js does, so the page's code (written for real Stripe.js) runs unchanged in the demo. The card the
   reader typed is sent to our server (checkout/offline_stripe.py), which makes the `pm_…` on localstripe.
   It also names the stand-in's five bare inputs (translated labels and placeholders from this tag, as
   Stripe's own card element shows them) and takes an expiry year of two digits or four.
   Loaded right after the stand-in; the endpoint, the CSRF token and the texts come from this tag's data-
   attributes. */
(function () {
  "use strict";

  var settings = document.currentScript.dataset;
  var standIn = window.Stripe;
  if (typeof standIn !== "function") {
    return;
  }

  /* localstripe's field name → our data- attribute suffix, and what the browser may fill in. */
  var FIELDS = {
    number: { key: "Number", autocomplete: "cc-number", maxLength: 23 },
    exp_month: { key: "ExpMonth", autocomplete: "cc-exp-month", maxLength: 2 },
    exp_year: { key: "ExpYear", autocomplete: "cc-exp-year", maxLength: 4 },
    cvc: { key: "Cvc", autocomplete: "cc-csc", maxLength: 4 },
    postal_code: { key: "PostalCode", autocomplete: "postal-code", maxLength: 10 },
  };

  function stripeError(code, message) {
    return { error: { code: code, message: message } };
  }

  /* "30" and "2030" are the same year; anything else is sent as typed for the server to judge. */
  function fullYear(text) {
    var year = String(text || "").replace(/\s/g, "");
    return /^\d{2}$/.test(year) ? "20" + year : year;
  }

  /* What the reader typed: the stand-in's own inputs when mounted (its `value` prefixes "20" to the
     year, so "2030" would read "202030"), else the `value` a caller passed ({card: {...}}). */
  function typedCard(element) {
    var inputs = element && element._inputs;
    if (inputs && inputs.number) {
      return {
        number: inputs.number.value,
        exp_month: inputs.exp_month.value,
        exp_year: inputs.exp_year.value,
        cvc: inputs.cvc.value,
      };
    }
    return element && element.value && element.value.card;
  }

  /* Labels and placeholders on the stand-in's inputs (it names them `number`, `exp_month`, …). */
  function labelInputs(inputs) {
    if (!inputs) {
      return;
    }
    Object.keys(FIELDS).forEach(function (name) {
      var input = inputs[name];
      if (!input) {
        return;
      }
      var field = FIELDS[name];
      var label = settings["label" + field.key];
      var placeholder = settings["placeholder" + field.key];
      if (label) {
        input.setAttribute("aria-label", label);
        input.title = label;
      }
      if (placeholder) {
        input.placeholder = placeholder;
      }
      input.name = name;
      input.autocomplete = field.autocomplete;
      input.maxLength = field.maxLength;
      if (name !== "postal_code") {
        input.inputMode = "numeric";
      }
    });
    keepFocusOnAFourDigitYear(inputs);
  }

  /* The stand-in moves to the CVC as soon as the year has two digits; a reader typing "2030" would
     see "20" in the year and "30" in the CVC. Stay in the year while "20…" may become four digits. */
  function keepFocusOnAFourDigitYear(inputs) {
    var year = inputs.exp_year;
    var advance = year && year.oninput;
    if (typeof advance !== "function") {
      return;
    }
    year.oninput = function (event) {
      advance.call(this, event);
      var typed = year.value.replace(/\s/g, "");
      if (typed === "20" || typed.length === 3) {
        year.focus();
      }
    };
  }

  function labelledElements(elementsOf) {
    return function (options) {
      var group = elementsOf(options);
      var create = group.create.bind(group);
      group.create = function (type, createOptions) {
        var element = create(type, createOptions);
        var mount = element.mount.bind(element);
        element.mount = function (domElement) {
          var result = mount(domElement);
          labelInputs(element._inputs);
          return result;
        };
        return element;
      };
      return group;
    };
  }

  /* What localstripe's card element holds, sent to our endpoint, which answers as Stripe.js does. */
  async function createPaymentMethod(data) {
    var card = typedCard(data && data.card);
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
          exp_year: fullYear(card.exp_year),
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
    stripe.elements = labelledElements(stripe.elements);
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
