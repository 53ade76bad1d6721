/* Support page: amount and frequency choice, fee total, card and wallet payment with Stripe.js,
   3-D Secure in the page, and errors a screen reader announces. Config comes from #checkout-config.
   The fee a reader may cover always comes from the server (never computed here): the presets' fees
   come with the page, any other amount's from GET /checkout/fee. */
(function () {
  "use strict";

  var configNode = document.getElementById("checkout-config");
  var form = document.getElementById("support-form");
  if (!configNode || !form) {
    return;
  }
  var config = JSON.parse(configNode.textContent);
  var M = config.messages;
  var exponent = config.exponent;
  var submitButton = document.getElementById("submit-button");
  var formError = document.getElementById("form-error");
  var statusLine = document.getElementById("status-line");
  var customAmount = document.getElementById("custom-amount");
  var coverFee = document.getElementById("cover-fee");
  var cardGroup = document.getElementById("card-element");
  /* One checkout attempt: its Idempotency-Key and payment method, kept while retrying after a network
     failure so the server sees the same request again and never charges twice. */
  var attempt = null;
  var busy = false;
  var PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000";
  var FEE_DEBOUNCE_MS = 250;

  var RR = window.ReaderRevenue;
  var fill = RR.fill;
  var setFieldError = RR.setFieldError;
  var formatMoney = RR.moneyFormatter(config.money);

  function parseAmount(text) {
    return RR.parseAmount(text, exponent, M);
  }

  /* ---- the reader's choices ---- */

  function frequency() {
    var kind = form.querySelector("input[name=kind]:checked");
    if (!kind || kind.value === "one_off") {
      return "one_off";
    }
    var interval = form.querySelector("input[name=interval]:checked");
    return interval ? interval.value : "monthly";
  }

  function presetGroup() {
    return form.querySelector('.preset-list[data-frequency="' + frequency() + '"]');
  }

  function chosenAmount() {
    var typed = parseAmount(customAmount.value);
    if (!typed.empty) {
      return typed;
    }
    var preset = presetGroup() && presetGroup().querySelector("input:checked");
    return preset ? { minor: Number(preset.value) } : { empty: true };
  }

  function amountProblem(amount) {
    if (amount.error) {
      return amount.error;
    }
    if (amount.empty) {
      return M.amountRequired;
    }
    var limits = config.limits[frequency()];
    if (amount.minor < limits.min || amount.minor > limits.max) {
      return fill(M.amountOutOfRange, { min: formatMoney(limits.min), max: formatMoney(limits.max) });
    }
    return "";
  }

  /* ---- the fee, as the server answers it ---- */

  var fees = Object.assign({}, config.presetFees); /* amount in minor units → fee */
  var feeLookups = {}; /* amount → promise of the server's answer, while asked */
  var feeTimer = null;
  var feeWanted = null;

  function covering() {
    return Boolean(coverFee && coverFee.checked);
  }

  /* The server's fee for an amount; 0 for no amount, null while not known yet. */
  function knownFee(minor) {
    if (!(minor > 0)) {
      return 0;
    }
    return Object.prototype.hasOwnProperty.call(fees, minor) ? fees[minor] : null;
  }

  /* Asks the server once per amount; resolves the fee, or null when it could not be had. */
  function lookUpFee(minor) {
    if (knownFee(minor) !== null) {
      return Promise.resolve(knownFee(minor));
    }
    if (!feeLookups[minor]) {
      var query = new URLSearchParams({ currency: config.currency, amount: String(minor) });
      feeLookups[minor] = RR.requestJson(config.urls.fee + "?" + query.toString(), {})
        .then(function (result) {
          if (result.ok && Number.isSafeInteger(result.data.fee)) {
            fees[minor] = result.data.fee;
          }
        })
        .catch(function () {})
        .then(function () {
          delete feeLookups[minor];
          refresh();
          return knownFee(minor);
        });
    }
    return feeLookups[minor];
  }

  /* While the reader types, ask only once they pause; an amount already asked for is not asked again. */
  function wantFee(minor) {
    if (minor === feeWanted) {
      return;
    }
    feeWanted = minor;
    window.clearTimeout(feeTimer);
    if (knownFee(minor) === null) {
      feeTimer = window.setTimeout(function () {
        lookUpFee(minor);
      }, FEE_DEBOUNCE_MS);
    }
  }

  /* What will be charged; null while the fee to add is not known yet. */
  function totalMinor(minor) {
    if (!covering()) {
      return minor;
    }
    var fee = knownFee(minor);
    return fee === null ? null : minor + fee;
  }

  /* ---- showing state ---- */

  function showFormError(message) {
    formError.textContent = message || "";
    formError.hidden = !message;
    if (message) {
      formError.focus();
    }
  }

  function clearErrors() {
    showFormError("");
    setFieldError("custom-amount", "amount-error", "");
    setFieldError("email", "email-error", "");
    setFieldError("card-element", "card-error", "");
  }

  function setBusy(isBusy, message) {
    busy = isBusy;
    submitButton.disabled = isBusy;
    form.dataset.state = isBusy ? "busy" : "ready";
    statusLine.textContent = message || "";
  }

  function refresh() {
    var freq = frequency();
    document.getElementById("interval-fieldset").hidden = freq === "one_off";
    form.querySelectorAll(".preset-list").forEach(function (group) {
      group.hidden = group.dataset.frequency !== freq;
    });
    var hiddenFrequency = document.getElementById("currency-form-frequency");
    if (hiddenFrequency) {
      hiddenFrequency.value = freq;
    }
    var limits = config.limits[freq];
    document.getElementById("amount-hint").textContent = fill(M.amountHint, {
      min: formatMoney(limits.min),
      max: formatMoney(limits.max),
    });
    var amount = chosenAmount();
    var base = amount.minor && !amount.error ? amount.minor : 0;
    wantFee(base);
    var fee = knownFee(base);
    if (fee !== null) {
      document.getElementById("fee-amount").textContent = formatMoney(fee);
    }
    /* until the fee comes, the labels keep what they said, and the live total says it is busy */
    var totalMinorUnits = totalMinor(base);
    var totalLine = document.getElementById("total");
    if (totalMinorUnits === null) {
      totalLine.setAttribute("aria-busy", "true");
    } else {
      totalLine.removeAttribute("aria-busy");
      var total = formatMoney(totalMinorUnits);
      document.getElementById("total-amount").textContent = fill(M.total[freq], { amount: total });
      submitButton.textContent = fill(M.submit[freq], { amount: total });
    }
    /* the tier follows what the membership will charge: the fee covered counts, as the server counts it */
    if (tiers) {
      tiers.update(freq, totalMinorUnits === null ? base : totalMinorUnits);
    }
    if (wallet && !busy) {
      wallet.update();
    }
  }

  /* ---- the server ---- */

  function value(id) {
    var input = document.getElementById(id);
    return input ? input.value.trim() : "";
  }

  function requestBody(paymentMethodId, amountMinor, payer) {
    var body = {
      frequency: frequency(),
      amount: amountMinor,
      currency: config.currency,
      cover_fee: covering(),
      payment_method: paymentMethodId,
      dedication: value("dedication"),
      anonymous: document.getElementById("anonymous").checked,
    };
    if (!config.signedIn) {
      body.email = (payer && payer.email) || value("email");
      body.name = (payer && payer.name) || value("name");
    }
    Object.keys(config.attribution).forEach(function (key) {
      if (config.attribution[key]) {
        body[key] = config.attribution[key];
      }
    });
    return body;
  }

  /* After 3-D Secure, the server asks Stripe and records the outcome (a POST: GETs never write), so the
     thank-you page shows it settled and a failed authentication is recorded now, not when a webhook
     arrives. Its answer is not needed: the thank-you page asks again while the payment is undecided. */
  function recordOutcome(id) {
    var url = config.urls.refresh.replace(PLACEHOLDER_ID, id);
    return RR.requestJson(url, { method: "POST", form: form, body: {} }).catch(function () {});
  }

  /* Before paying with the fee covered, the fee for this amount is known and shown (it is what the
     server will add); false when it could not be had. */
  async function feeShown(minor) {
    if (!covering()) {
      return true;
    }
    window.clearTimeout(feeTimer);
    var fee = await lookUpFee(minor);
    refresh();
    if (fee === null) {
      showFormError(M.network);
      return false;
    }
    return true;
  }

  function thankYouUrl(data) {
    return config.urls.thankYou.replace(PLACEHOLDER_ID, data.id);
  }

  function cardMessage(code, fallback) {
    return M.card[code] || fallback || M.card.card_declined;
  }

  /* Shows an API error next to the field it names, or at the top of the form. */
  function showApiError(result) {
    var error = (result.data && result.data.error) || {};
    var message = error.message;
    if (result.status === 402) {
      setFieldError("card-element", "card-error", cardMessage(error.code, error.message));
      showFormError(M.paymentFailed);
      return;
    }
    if (result.status === 429) {
      if (error.field === "payment_method") {
        setFieldError("card-element", "card-error", message || M.tooMany);
      }
      showFormError(message || M.tooMany);
      return;
    }
    var unavailable = result.status === 502 && error.code === "payment_unavailable";
    if (unavailable && typeof message === "string" && message) {
      /* Stripe unreachable: the server says whether nothing was charged or the outcome is unknown. */
      showFormError(message);
      return;
    }
    if (result.status >= 500) {
      showFormError(M.retry);
      return;
    }
    if (result.status === 409) {
      showFormError(M.keyReused);
      return;
    }
    if (typeof message !== "string" || !message) {
      message = M.unexpected;
    }
    var field = error.field || "";
    if (field.indexOf("amount") === 0) {
      setFieldError("custom-amount", "amount-error", message);
    } else if (field === "email") {
      setFieldError("email", "email-error", message);
    } else if (field === "payment_method") {
      setFieldError("card-element", "card-error", message);
    }
    showFormError(field ? M.checkFields : message);
  }

  /* Pays with the attempt's payment method; resolves true when the page moves to the thank-you page.
     `onAnswer(ok)` runs as soon as the server has answered (a wallet sheet closes then). */
  async function pay(amountMinor, payer, onAnswer) {
    var answered = onAnswer || function () {};
    var result;
    try {
      result = await RR.requestJson(config.urls.contributions, {
        method: "POST",
        form: form,
        idempotencyKey: attempt.key,
        body: requestBody(attempt.paymentMethodId, amountMinor, payer),
      });
    } catch (networkError) {
      answered(false);
      showFormError(M.network);
      return false;
    }
    var data = result.data;
    if (result.status >= 400) {
      if (result.status < 500) {
        attempt = null;
      }
      answered(false);
      showApiError(result);
      return false;
    }
    attempt = null;
    answered(true);
    if (data.status === "requires_action" && data.client_secret) {
      setBusy(true, M.authenticating);
      var action = await stripe.handleNextAction({ clientSecret: data.client_secret });
      if (action.error) {
        await recordOutcome(data.id);
        setFieldError("card-element", "card-error", M.card[action.error.code] || M.card.authentication_failed);
        showFormError(M.paymentFailed);
        return false;
      }
      await recordOutcome(data.id);
    } else if (data.status === "failed") {
      var failure = data.error || {};
      setFieldError("card-element", "card-error", cardMessage(failure.code, failure.message));
      showFormError(M.paymentFailed);
      return false;
    }
    setBusy(true, M.redirecting);
    window.location.assign(thankYouUrl(data));
    return true;
  }

  function validate() {
    var problems = [];
    var amountText = amountProblem(chosenAmount());
    setFieldError("custom-amount", "amount-error", amountText);
    if (amountText) {
      problems.push("custom-amount");
    }
    var email = document.getElementById("email");
    if (email && !config.signedIn) {
      var emailText = !email.value.trim() ? M.emailRequired : email.validity.valid ? "" : M.emailInvalid;
      setFieldError("email", "email-error", emailText);
      if (emailText) {
        problems.push("email");
      }
    }
    return problems;
  }

  /* ---- Stripe.js ---- */

  var stripe = Stripe(config.publishableKey);
  var elements = stripe.elements({ locale: "auto" });
  var card = elements.create("card", { hidePostalCode: false });
  card.mount(cardGroup);
  card.on("change", function (event) {
    if (!busy) {
      attempt = null;
    }
    if (event && event.error) {
      setFieldError("card-element", "card-error", event.error.message);
    } else if (!document.getElementById("card-error").hidden) {
      setFieldError("card-element", "card-error", "");
    }
  });

  /* A wallet sheet gives a payment method (and the payer's email); the server is asked as for a card. */
  async function payWithWallet(event) {
    clearErrors();
    var amount = chosenAmount();
    var problem = amountProblem(amount);
    if (problem) {
      event.complete("fail");
      setFieldError("custom-amount", "amount-error", problem);
      showFormError(M.checkFields);
      return;
    }
    setBusy(true, M.processing);
    if (!(await feeShown(amount.minor))) {
      event.complete("fail");
      setBusy(false, "");
      return;
    }
    attempt = { key: RR.newIdempotencyKey(), paymentMethodId: event.paymentMethod.id };
    var payer = { email: event.payerEmail, name: event.payerName };
    var moved = await pay(amount.minor, payer, function (ok) {
      event.complete(ok ? "success" : "fail");
    });
    if (!moved) {
      setBusy(false, "");
    }
  }

  function walletTotal() {
    var amount = chosenAmount();
    var base = amount.minor && !amount.error ? amount.minor : 0;
    var total = totalMinor(base);
    if (total === null) {
      return { label: M.walletLabel[frequency()], amount: base, pending: true }; /* the fee is on its way */
    }
    return { label: M.walletLabel[frequency()], amount: total };
  }

  /* ---- events ---- */

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.name && target.name.indexOf("preset-") === 0) {
      customAmount.value = "";
      setFieldError("custom-amount", "amount-error", "");
    }
    refresh();
  });

  customAmount.addEventListener("input", function () {
    var group = presetGroup();
    if (customAmount.value.trim() && group) {
      group.querySelectorAll("input:checked").forEach(function (input) {
        input.checked = false;
      });
    }
    refresh();
  });

  customAmount.addEventListener("blur", function () {
    if (customAmount.value.trim()) {
      setFieldError("custom-amount", "amount-error", amountProblem(chosenAmount()));
    }
  });

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (busy) {
      return;
    }
    clearErrors();
    var problems = validate();
    if (problems.length) {
      showFormError(M.checkFields);
      document.getElementById(problems[0]).focus();
      return;
    }
    var amount = chosenAmount();
    setBusy(true, M.processing);
    if (!(await feeShown(amount.minor))) {
      setBusy(false, "");
      return;
    }
    if (!attempt) {
      var created;
      try {
        created = await stripe.createPaymentMethod({
          type: "card",
          card: card,
          billing_details: { email: value("email") || undefined, name: value("name") || undefined },
        });
      } catch (error) {
        created = { error: { message: M.card.card_declined } };
      }
      if (!created || typeof created !== "object") {
        showFormError(M.cardsUnavailable);
        setBusy(false, "");
        return;
      }
      if (created.error || !created.paymentMethod) {
        var error = created.error || {};
        setFieldError("card-element", "card-error", cardMessage(error.code, error.message));
        showFormError(M.paymentFailed);
        setBusy(false, "");
        return;
      }
      attempt = { key: RR.newIdempotencyKey(), paymentMethodId: created.paymentMethod.id };
    }
    var moved = await pay(amount.minor, null);
    if (!moved) {
      setBusy(false, "");
    }
  });

  var tiers = RR.setUpTiers
    ? RR.setUpTiers({ tiers: config.tiers, messages: M.tier, formatMoney: formatMoney, fill: fill })
    : null;
  var wallet = RR.setUpWallet({
    stripe: stripe,
    elements: elements,
    country: config.accountCountry,
    currency: config.currency,
    requestPayer: !config.signedIn,
    container: document.getElementById("wallet"),
    total: walletTotal,
    onPaymentMethod: payWithWallet,
    onCancel: function () {
      setBusy(false, "");
    },
  });
  refresh();
  setBusy(false, "");
})();
