/*
 * The support banner for the news site's pages (docs/engagement.md). One tag:
 *   <script src="https://<platform>/banner.js" data-site="…" data-section="…" data-tags="a,b" async></script>
 * It keeps its own state in localStorage only (no cookie): a random browser id, the article-view count,
 * dismissals and the pause. A member or recent supporter (the platform's member token cookie) never
 * asks the platform. The banner renders in a shadow root, fixed at the bottom (no layout shift).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__rrBanner) return;
  window.__rrBanner = true;
  var data = script.dataset;
  var origin = new URL(script.src, location.href).origin;
  var preview = data.preview || "";
  var STORE = "rr_banner";
  var DAY = 864e5;

  function load() {
    try {
      return JSON.parse(localStorage.getItem(STORE)) || {};
    } catch (e) {
      return {};
    }
  }
  function save(state) {
    try {
      localStorage.setItem(STORE, JSON.stringify(state));
    } catch (e) {
      /* private mode: the banner still works, it just forgets */
    }
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* The member token's claims, read without verifying: hiding a banner needs no proof. */
  function memberClaims() {
    var name = (data.memberCookie || "rr_member") + "=";
    var part = document.cookie.split("; ").filter(function (c) { return c.indexOf(name) === 0; })[0];
    if (!part) return null;
    try {
      var payload = part.slice(name.length).split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      var claims = JSON.parse(decodeURIComponent(escape(atob(payload + "===".slice((payload.length + 3) % 4)))));
      return claims.exp * 1000 > Date.now() ? claims : null;
    } catch (e) {
      return null;
    }
  }

  var state = load();
  if (!state.id) state.id = uuid();
  if (!preview) state.views = (state.views || 0) + 1;
  save(state);
  if (!preview) {
    var claims = memberClaims();
    if (claims && (claims.member || claims.recent_supporter)) return;
    if (state.pausedUntil && Date.now() < state.pausedUntil) return;
  }

  var queue = [];
  var shown = null;
  function flush() {
    if (!queue.length || preview) return;
    var body = JSON.stringify({ batch_id: uuid(), browser: state.id, events: queue.splice(0, 100) });
    var url = origin + "/api/v1/banner/events";
    var blob = new Blob([body], { type: "text/plain" });
    if (!(navigator.sendBeacon && navigator.sendBeacon(url, blob))) {
      fetch(url, { method: "POST", body: body, credentials: "omit", keepalive: true }).catch(function () {});
    }
  }
  function track(type) {
    if (shown) queue.push({ type: type, variant: shown.code });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });
  window.addEventListener("pagehide", flush);

  var CSS =
    ":host{all:initial}" +
    ".banner{position:fixed;left:0;right:0;bottom:0;z-index:2147483000;box-sizing:border-box;" +
    "font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:var(--rr-bg);color:var(--rr-text);" +
    "border-top:4px solid var(--rr-button);box-shadow:0 -4px 16px rgba(0,0,0,.18);padding:1rem 3.25rem 1rem 1rem;" +
    "max-height:85vh;overflow:auto;transform:translateY(100%);transition:transform .45s ease-out}" +
    ".banner.in{transform:none}" +
    ".inner{max-width:60rem;margin:0 auto}" +
    "h2{font-size:1.35rem;line-height:1.2;margin:0 0 .4rem;font-weight:800}" +
    "p{margin:0 0 .75rem}" +
    ".actions{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center}" +
    ".actions a{display:inline-block;padding:.65rem 1.1rem;border-radius:6px;font-weight:700;text-decoration:none;" +
    "border:2px solid var(--rr-button)}" +
    ".primary{background:var(--rr-button);color:var(--rr-button-text)}" +
    ".secondary{background:transparent;color:var(--rr-text)}" +
    "a:focus-visible,button:focus-visible{outline:3px solid var(--rr-text);outline-offset:2px}" +
    ".cards{display:flex;flex-wrap:wrap;gap:.35rem;list-style:none;margin:0;padding:0}" +
    ".cards li{font-size:.75rem;font-weight:800;border:1px solid currentColor;border-radius:4px;padding:.1rem .35rem;" +
    "white-space:nowrap}" +
    ".ticker{margin:0 0 .75rem}" +
    ".ticker progress{width:100%;max-width:28rem;height:.8rem;display:block;accent-color:var(--rr-button)}" +
    ".ticker p{margin:.25rem 0 0;font-weight:700}" +
    ".close{position:absolute;top:.5rem;right:.5rem;width:2.5rem;height:2.5rem;border-radius:50%;" +
    "border:2px solid var(--rr-text);background:transparent;color:var(--rr-text);font-size:1.4rem;line-height:1;cursor:pointer}" +
    "@media (prefers-reduced-motion:reduce){.banner{transition:none}}" +
    "@media (max-width:30rem){h2{font-size:1.15rem}.actions a{flex:1 1 100%;text-align:center}}";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function withRef(link) {
    var url = new URL(link, origin);
    if (!url.searchParams.get("ref")) url.searchParams.set("ref", location.origin + location.pathname);
    return url.href;
  }

  function dismiss() {
    track("dismiss");
    var cap = shown.frequencyCap;
    state.dismissals = (state.dismissals || 0) + 1;
    if (state.dismissals >= cap.dismissals) {
      state.pausedUntil = Date.now() + cap.pauseDays * DAY;
      state.dismissals = 0;
    }
    if (!preview) save(state);
    host.remove();
    flush();
  }

  var host;
  function render(banner) {
    shown = banner;
    host = el("div");
    host.setAttribute("data-rr-banner", banner.code);
    var root = host.attachShadow({ mode: "open" });
    if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.appendChild(el("style", "", CSS));
    }
    var colours = banner.colours;
    host.style.setProperty("--rr-bg", colours.background);
    host.style.setProperty("--rr-text", colours.text);
    host.style.setProperty("--rr-button", colours.button);
    host.style.setProperty("--rr-button-text", colours.buttonText);

    var section = el("section", "banner");
    section.setAttribute("aria-labelledby", "rr-headline");
    section.setAttribute("lang", banner.lang || "");
    var inner = el("div", "inner");
    var headline = el("h2", "", banner.headline);
    headline.id = "rr-headline";
    inner.appendChild(headline);
    banner.body.split(/\n\s*\n/).forEach(function (text) {
      inner.appendChild(el("p", "", text));
    });
    if (banner.ticker) {
      var ticker = el("div", "ticker");
      var bar = el("progress");
      bar.max = banner.ticker.goal;
      bar.value = Math.max(0, Math.min(banner.ticker.value, banner.ticker.goal));
      bar.setAttribute("aria-labelledby", "rr-ticker");
      var label = el("p", "", banner.ticker.label);
      label.id = "rr-ticker";
      ticker.appendChild(bar);
      ticker.appendChild(label);
      inner.appendChild(ticker);
    }
    var actions = el("div", "actions");
    [["primary", banner.links.primary], ["secondary", banner.links.secondary]].forEach(function (pair) {
      var link = el("a", pair[0], banner.buttons[pair[0]]);
      link.href = withRef(pair[1]);
      link.addEventListener("click", function () {
        track("click");
        flush();
      });
      actions.appendChild(link);
    });
    if (banner.cardMarks) {
      var cards = el("ul", "cards");
      cards.setAttribute("aria-label", banner.labels.cards);
      ["Visa", "Mastercard", "Amex", "Apple Pay", "Google Pay"].forEach(function (name) {
        cards.appendChild(el("li", "", name));
      });
      actions.appendChild(cards);
    }
    inner.appendChild(actions);
    section.appendChild(inner);
    var close = el("button", "close", "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", banner.labels.dismiss);
    close.addEventListener("click", dismiss);
    section.appendChild(close);
    section.addEventListener("keydown", function (event) {
      if (event.key === "Escape") dismiss();
    });
    root.appendChild(section);
    document.body.appendChild(host);
    requestAnimationFrame(function () {
      requestAnimationFrame(function () { section.classList.add("in"); });
    });
    track("impression");
    setTimeout(flush, 2000);
  }

  var params = new URLSearchParams({
    site: data.site || "",
    section: data.section || "",
    tags: data.tags || "",
    views: String(Math.min(state.views || 0, 50)),
    lang: (data.lang || document.documentElement.lang || "").slice(0, 2),
    bucket: String(parseInt(state.id.replace(/-/g, "").slice(0, 8), 16) % 1000),
  });
  var url = preview ? preview : origin + "/api/v1/banner?" + params.toString();
  fetch(url, { credentials: preview ? "same-origin" : "omit" })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (answer) {
      if (!answer || !answer.show) return;
      answer.banner.lang = answer.lang;
      if (document.body) render(answer.banner);
      else document.addEventListener("DOMContentLoaded", function () { render(answer.banner); });
    })
    .catch(function () {});
})();
