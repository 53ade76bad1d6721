/* Shared by the support and thank-you pages: money as integer minor units, text templates,
   idempotency keys and the CSRF token. No page logic here. */
(function () {
  "use strict";

  /* "2500" minor units with exponent 2 → "25.00": exact, no floating point. */
  function minorToDecimalString(minor, exponent) {
    var digits = String(minor);
    if (exponent === 0) {
      return digits;
    }
    digits = digits.padStart(exponent + 1, "0");
    return digits.slice(0, -exponent) + "." + digits.slice(-exponent);
  }

  /* A function formatting minor units as the server does (Babel, payments/money.py format_money), from
     the format the server sends for the page's locale and currency (checkout/formatting.py):
     {prefix, suffix, decimal, group, grouping: [primary, secondary], exponent}. Not Intl.NumberFormat,
     whose spacing differs from Babel's ("UAH 500.00" where the server writes "UAH500.00"). */
  function moneyFormatter(format) {
    return function (minor) {
      var parts = minorToDecimalString(minor, format.exponent).split(".");
      var whole = parts[0];
      var size = format.grouping[0];
      var grouped = "";
      while (whole.length > size) {
        grouped = format.group + whole.slice(-size) + grouped;
        whole = whole.slice(0, -size);
        size = format.grouping[1];
      }
      var fraction = parts.length > 1 ? format.decimal + parts[1] : "";
      return format.prefix + whole + grouped + fraction + format.suffix;
    };
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : match;
    });
  }

  /* Reads what the reader typed; accepts "." or "," as the decimal mark and no more decimals
     than the currency has. Returns {minor}, {error} or {empty: true}. */
  function parseAmount(text, exponent, messages) {
    var cleaned = text.trim().replace(/[\s\u00a0\u202f]/g, "");
    if (!cleaned) {
      return { empty: true };
    }
    var match = cleaned.match(/^(\d+)(?:[.,](\d*))?$/);
    if (!match) {
      return { error: messages.amountInvalid };
    }
    var fraction = match[2] || "";
    if (fraction.length > exponent) {
      return {
        error: exponent === 0 ? messages.amountNoDecimals : fill(messages.amountTooManyDecimals, { digits: exponent }),
      };
    }
    var minor = Number(match[1] + fraction.padEnd(exponent, "0"));
    if (!Number.isSafeInteger(minor)) {
      return { error: messages.amountInvalid };
    }
    return { minor: minor };
  }

  /* One key per checkout attempt; randomUUID needs a secure context, getRandomValues does not. */
  function newIdempotencyKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return b.toString(16).padStart(2, "0");
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  /* The token Django's {% csrf_token %} put inside `form` (any element holding it will do). */
  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* Shows (or clears) a field's error: the text sits in the element the field's aria-describedby
     names, and the field is marked aria-invalid so assistive technology says it needs fixing. */
  function setFieldError(inputId, errorId, message) {
    var error = document.getElementById(errorId);
    var input = document.getElementById(inputId);
    if (!error) {
      return;
    }
    error.textContent = message || "";
    error.hidden = !message;
    if (input && message) {
      input.setAttribute("aria-invalid", "true");
    } else if (input) {
      input.removeAttribute("aria-invalid");
    }
  }

  /* A JSON request to our API with the session's CSRF token; resolves {status, data} (data {} when
     the body is not JSON) and rejects only when the network fails. */
  async function requestJson(url, options) {
    var headers = { Accept: "application/json" };
    var init = { method: options.method || "GET", credentials: "same-origin", headers: headers };
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["X-CSRFToken"] = csrfToken(options.form);
      init.body = JSON.stringify(options.body);
    }
    if (options.idempotencyKey) {
      headers["Idempotency-Key"] = options.idempotencyKey;
    }
    var response = await fetch(url, init);
    var data = await response.json().catch(function () {
      return {};
    });
    return { status: response.status, ok: response.ok, data: data };
  }

  window.ReaderRevenue = {
    requestJson: requestJson,
    setFieldError: setFieldError,
    minorToDecimalString: minorToDecimalString,
    moneyFormatter: moneyFormatter,
    fill: fill,
    parseAmount: parseAmount,
    newIdempotencyKey: newIdempotencyKey,
    csrfToken: csrfToken,
  };
})();
