/* Thank-you page: while a payment is being confirmed, asks the server to check with Stripe (a POST: the
   page itself only reads) until it settles; and turns a one-off gift into a monthly membership in one click. */
(function () {
  "use strict";

  var page = document.getElementById("thank-you");
  if (!page) {
    return;
  }
  var WAITING = ["pending", "requires_action"];
  var POLL_LIMIT_MS = 60000;
  var PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000";

  function delay(ms) {
    return new Promise(function (resolve) {
      window.setTimeout(resolve, ms);
    });
  }

  /* The server asks Stripe for the payment's state and records it; resolves {status, ok, data}. */
  function refreshContribution(url, form) {
    return window.ReaderRevenue.requestJson(url, { method: "POST", form: form, body: {} });
  }

  /* While the payment is pending, each POST has the server ask Stripe; reload once it is settled. */
  async function pollUntilSettled() {
    var form = document.getElementById("refresh-form");
    if (!form) {
      return;
    }
    var started = Date.now();
    var wait = 1000;
    while (Date.now() - started < POLL_LIMIT_MS) {
      try {
        var result = await refreshContribution(form.action, form);
        if (result.ok && WAITING.indexOf(result.data.status) === -1) {
          window.location.reload();
          return;
        }
      } catch (error) {
        /* the network may come back: keep asking until the time limit */
      }
      await delay(wait);
      wait = Math.min(wait * 1.5, 5000);
    }
    var notice = document.getElementById("poll-timeout");
    if (notice) {
      notice.hidden = false;
    }
  }

  function setUpUpgrade() {
    var form = document.getElementById("upgrade-form");
    if (!form) {
      return;
    }
    var button = document.getElementById("upgrade-button");
    var error = document.getElementById("upgrade-error");
    var status = document.getElementById("receipt-status");
    var key = null;
    var stripe = null;
    if (typeof window.Stripe === "function" && form.dataset.publishableKey) {
      stripe = window.Stripe(form.dataset.publishableKey);
    }

    function fail(message) {
      error.textContent = message || form.dataset.errorMessage;
      error.hidden = false;
      button.disabled = false;
      form.setAttribute("aria-busy", "false");
    }

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (button.disabled) {
        return;
      }
      key = key || window.ReaderRevenue.newIdempotencyKey();
      button.disabled = true;
      form.setAttribute("aria-busy", "true");
      error.hidden = true;
      status.textContent = form.dataset.busyMessage;
      var result;
      try {
        result = await window.ReaderRevenue.requestJson(form.action, {
          method: "POST",
          form: form,
          idempotencyKey: key,
          body: { amount: Number(form.dataset.amount) },
        });
      } catch (networkError) {
        fail("");
        return;
      }
      var data = result.data;
      if (!result.ok) {
        if (result.status < 500) {
          key = null;
        }
        fail(data.error && data.error.message);
        return;
      }
      if (data.status === "requires_action" && data.client_secret && stripe) {
        var action = await stripe.handleNextAction({ clientSecret: data.client_secret });
        /* the outcome is recorded now (the new page only reads it), failed or not */
        await refreshContribution(form.dataset.refreshUrl.replace(PLACEHOLDER_ID, data.id), form).catch(
          function () {}
        );
        if (action.error) {
          fail(action.error.message);
          return;
        }
      }
      window.location.assign(form.dataset.thankYouUrl.replace(PLACEHOLDER_ID, data.id));
    });
  }

  setUpUpgrade();
  if (WAITING.indexOf(page.dataset.status) !== -1) {
    pollUntilSettled();
  }
})();
