/* Portal card update: Stripe.js card fields, a SetupIntent confirmed in the page (3-D Secure included),
   then the form posts the SetupIntent's id; the server makes that card the default. */
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  if (!form) {
    return;
  }
  var config = JSON.parse(document.getElementById("card-config").textContent);
  var errorBox = document.getElementById("card-error");
  var submit = document.getElementById("card-submit");
  var stripe = Stripe(config.publishableKey);
  var card = stripe.elements({ locale: "auto" }).create("card");
  card.mount(document.getElementById("card-element"));

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    showError("");
    submit.disabled = true;
    var result = await stripe.confirmCardSetup(config.clientSecret, { payment_method: { card: card } });
    var intent = result && result.setupIntent;
    if (result.error || !intent || intent.status !== "succeeded") {
      submit.disabled = false;
      showError((result.error && result.error.message) || config.messages.failed);
      return;
    }
    document.getElementById("setup-intent").value = intent.id;
    form.submit();
  });
})();
