// One True Customer: small progressive enhancements. Every form works without this file.
(function () {
  "use strict";

  // htmx sends the CSRF token on every request it makes.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) event.detail.headers["X-CSRFToken"] = meta.content;
  });

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }

  function enhance(root) {
    var zone = browserZone();
    // Invite form: preselect the phone's time zone (the person can still change it).
    root.querySelectorAll("select[data-detect-tz]").forEach(function (select) {
      if (!zone || select.dataset.detected) return;
      select.dataset.detected = "1";
      var form = select.closest("form");
      var isInvite = form && form.querySelector('input[name="again"]');
      if (isInvite && select.querySelector('option[value="' + zone + '"]')) select.value = zone;
    });
    // Today: offer the phone's zone when it differs from the person's (travel).
    var hint = root.querySelector("[data-tz-hint]");
    var current = document.body.dataset.tz;
    if (hint && zone && current && zone !== current) {
      hint.querySelector("[data-tz-name]").textContent = zone.replace(/_/g, " ");
      hint.querySelector("[data-tz-value]").value = zone;
      hint.hidden = false;
    }
  }

  // Copy buttons: data-copy names the field whose value to copy.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.querySelector(button.dataset.copy);
    if (!field) return;
    var text = field.value || field.textContent;
    var label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    var done = function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(text).then(done, function () { field.select(); });
    } else {
      field.select();
    }
  });

  // A request htmx could not complete leaves the page as it was: say so, never fail silently.
  function toast(text) {
    var el = document.querySelector("[data-toast]");
    if (!el) return;
    el.textContent = text;
    el.hidden = false;
    clearTimeout(el.hideTimer);
    el.hideTimer = setTimeout(function () { el.hidden = true; }, 8000);
  }
  document.addEventListener("htmx:sendError", function (event) {
    var config = event.detail.requestConfig || {};
    if ((config.verb || "get").toLowerCase() === "get") {
      toast("You're offline, so that page can't open now. The reference card works offline.");
    } else {
      var form = event.detail.elt && event.detail.elt.closest("form");
      if (form && form.hasAttribute("data-queued")) return; // kept on the phone (js/pwa.js)
      var kept = !form ? "" : form.classList.contains("checkin-form") ? " Your answers are still here."
        : form.querySelector("textarea") ? " What you wrote is still here." : "";
      toast("No connection, so that wasn't sent." + kept + " Try again when you're back online.");
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    toast(status >= 500
      ? "Something went wrong on our side and nothing was saved. Try again in a moment."
      : "That couldn't be done: it may have changed meanwhile. Reload the page to see it as it is now.");
  });

  document.addEventListener("streak-grew", function () {
    var card = document.getElementById("streak-card");
    if (card) card.classList.add("grew");
  });

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });

  document.addEventListener("htmx:load", function (event) { enhance(event.detail.elt.ownerDocument || document); });
})();
