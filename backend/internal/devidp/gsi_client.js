// Development stand-in for https://accounts.google.com/gsi/client, served
// by the AuthBridge development identity provider. Same surface as
// google.accounts.id: initialize, renderButton, prompt, disableAutoSelect,
// cancel (plus revoke and storeCredential). The button mints an ID token
// for the picked ready user at <devidp>/gsi/credential and hands it to the
// page's callback as {credential, select_by: "btn"}.
//
// Strict-CSP friendly: no eval, no inline handlers, no HTML from strings; styles
// are set through element.style, which CSP allows.
// Browser tests: the button is #gis-stub-button, the picker #gis-stub-user;
// window.__devidpUser = "alice" picks a user without touching the picker.
(function () {
  "use strict";
  var USERS = /*USERS*/[];
  var FALLBACK_BASE = /*BASE*/"";

  var script = document.currentScript;
  var base = FALLBACK_BASE;
  if (script && script.src) {
    var m = /^(.*)\/gsi\/client(?:[?#].*)?$/.exec(script.src);
    if (m) { base = m[1]; }
  }
  var config = null;

  function knownUser(id) {
    for (var i = 0; i < USERS.length; i++) {
      if (USERS[i].id === id) { return true; }
    }
    return false;
  }

  function pickedUser(select) {
    var forced = window.__devidpUser;
    if (typeof forced === "string" && forced !== "") { return forced; }
    if (select && select.value) { return select.value; }
    return USERS.length ? USERS[0].id : "";
  }

  function fail(button, reason) {
    button.setAttribute("data-devidp-error", reason);
    if (window.console) { window.console.warn("devidp GSI stand-in: " + reason); }
  }

  function mint(button, user) {
    var cfg = config;
    if (!cfg || typeof cfg.callback !== "function") {
      fail(button, "google.accounts.id.initialize was not called with a callback");
      return;
    }
    button.disabled = true;
    button.removeAttribute("data-devidp-error");
    fetch(base + "/gsi/credential", {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ client_id: String(cfg.client_id || ""), nonce: String(cfg.nonce || ""), user: user })
    }).then(function (resp) {
      return resp.json().then(function (body) { return { ok: resp.ok, body: body }; });
    }).then(function (res) {
      button.disabled = false;
      if (!res.ok || !res.body || typeof res.body.credential !== "string") {
        fail(button, (res.body && res.body.error) || "no credential");
        return;
      }
      cfg.callback({ credential: res.body.credential, select_by: "btn", clientId: cfg.client_id });
    }).catch(function (err) {
      button.disabled = false;
      fail(button, "request failed: " + err);
    });
  }

  function style(el, props) {
    for (var k in props) {
      if (Object.prototype.hasOwnProperty.call(props, k)) { el.style[k] = props[k]; }
    }
  }

  function renderButton(parent, options) {
    if (!parent || typeof parent.appendChild !== "function") { return; }
    var opts = options || {};
    while (parent.firstChild) { parent.removeChild(parent.firstChild); }

    var wrap = document.createElement("div");
    style(wrap, { display: "inline-flex", alignItems: "center", gap: "6px", flexWrap: "wrap" });

    var button = document.createElement("button");
    button.type = "button";
    button.id = "gis-stub-button";
    button.textContent = "Sign in with Google (dev)";
    style(button, {
      padding: opts.size === "small" ? "4px 10px" : "8px 14px",
      border: "1px solid #dadce0",
      borderRadius: opts.shape === "pill" ? "20px" : "4px",
      background: opts.theme === "filled_blue" ? "#1a73e8" : (opts.theme === "filled_black" ? "#202124" : "#fff"),
      color: (opts.theme === "filled_blue" || opts.theme === "filled_black") ? "#fff" : "#3c4043",
      font: "500 14px system-ui, sans-serif",
      cursor: "pointer"
    });
    // Google draws its button opts.width px wide (200-400); here the
    // button and the user picker share that width.
    var width = parseInt(String(opts.width || ""), 10);
    if (width > 0) {
      style(wrap, { width: Math.max(200, Math.min(400, width)) + "px", boxSizing: "border-box" });
    }

    var select = document.createElement("select");
    select.id = "gis-stub-user";
    select.setAttribute("aria-label", "Development user");
    style(select, { font: "13px system-ui, sans-serif", padding: "4px" });
    for (var i = 0; i < USERS.length; i++) {
      var o = document.createElement("option");
      o.value = USERS[i].id;
      o.textContent = USERS[i].label;
      select.appendChild(o);
    }
    if (config && knownUser(config.login_hint)) { select.value = config.login_hint; }

    button.addEventListener("click", function () {
      if (typeof opts.click_listener === "function") { opts.click_listener(); }
      mint(button, pickedUser(select));
    });
    wrap.appendChild(button);
    wrap.appendChild(select);
    parent.appendChild(wrap);
  }

  // One Tap is not offered: prompt() reports "not displayed", as Google
  // does for a browser without a Google session.
  function prompt(listener) {
    if (typeof listener !== "function") { return; }
    var note = {
      getMomentType: function () { return "display"; },
      isDisplayMoment: function () { return true; },
      isDisplayed: function () { return false; },
      isNotDisplayed: function () { return true; },
      getNotDisplayedReason: function () { return "opt_out_or_no_session"; },
      isSkippedMoment: function () { return false; },
      getSkippedReason: function () { return ""; },
      isDismissedMoment: function () { return false; },
      getDismissedReason: function () { return ""; }
    };
    setTimeout(function () { listener(note); }, 0);
  }

  var id = {
    initialize: function (cfg) { config = cfg || null; },
    renderButton: renderButton,
    prompt: prompt,
    disableAutoSelect: function () {},
    cancel: function () {},
    storeCredential: function (cred, cb) { if (typeof cb === "function") { cb(); } },
    revoke: function (hint, cb) { if (typeof cb === "function") { cb({ successful: true }); } }
  };

  window.google = window.google || {};
  window.google.accounts = window.google.accounts || {};
  window.google.accounts.id = id;
  if (typeof window.onGoogleLibraryLoad === "function") { window.onGoogleLibraryLoad(); }
})();
