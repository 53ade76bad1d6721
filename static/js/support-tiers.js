/* Membership tiers on the support page: which tier the chosen amount reaches, in the page's currency and
   frequency. The tiers and their minimums come with the page (#checkout-config: tiers, messages.tier); the
   rule is the server's (membership/tiers.py): an annual amount counts as amount / 12, rounded down, and the
   highest tier whose monthly minimum it reaches is the one. One-off gifts never make a tier. */
(function () {
  "use strict";

  var none = { update: function () {} };

  /* The tier a membership of `minor` at `frequency` reaches, or null. `tiers` are lowest position first. */
  function tierReached(tiers, frequency, minor) {
    if (frequency === "one_off" || !(minor > 0)) {
      return null;
    }
    var monthly = frequency === "annual" ? Math.floor(minor / 12) : minor;
    var reached = null;
    tiers.forEach(function (tier) {
      if (monthly >= tier.minimums.monthly) {
        reached = tier;
      }
    });
    return reached;
  }

  /* options: tiers, messages ({reached, below: {monthly, annual}}), formatMoney, fill.
     Returns {update(frequency, amountMinor)}. */
  function setUpTiers(options) {
    var section = document.getElementById("tiers");
    var status = document.getElementById("tier-status");
    var tiers = options.tiers || [];
    if (!section || !status || !tiers.length) {
      return none;
    }
    return {
      update: function (frequency, minor) {
        section.hidden = frequency === "one_off";
        if (section.hidden) {
          return;
        }
        section.querySelectorAll(".tier-minimum").forEach(function (line) {
          line.hidden = line.dataset.frequency !== frequency;
        });
        var reached = tierReached(tiers, frequency, minor);
        section.querySelectorAll(".tier").forEach(function (item) {
          item.toggleAttribute("data-reached", Boolean(reached) && item.dataset.tier === String(reached.id));
        });
        var text = reached
          ? options.fill(options.messages.reached, { tier: reached.name })
          : options.fill(options.messages.below[frequency], {
              amount: options.formatMoney(tiers[0].minimums[frequency]),
              tier: tiers[0].name,
            });
        if (status.textContent !== text) {
          status.textContent = text;
        }
      },
    };
  }

  window.ReaderRevenue = window.ReaderRevenue || {};
  window.ReaderRevenue.setUpTiers = setUpTiers;
  window.ReaderRevenue.tierReached = tierReached;
})();
