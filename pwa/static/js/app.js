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
      if (!isInvite) return;
      // Phones may report an old alias (Chromium says Asia/Calcutta); the list has the zone it names.
      var aliases = select.dataset.zoneAliases ? JSON.parse(select.dataset.zoneAliases) : {};
      var listed = aliases[zone] || zone;
      if (select.querySelector('option[value="' + listed + '"]')) select.value = listed;
    });
    // Today: after travel, ask the server whether the phone's zone would change the person's
    // days (it resolves aliases such as Asia/Calcutta for Asia/Kolkata, and remembers "keep").
    var slot = root.querySelector("[data-tz-hint]");
    var current = document.body.dataset.tz;
    if (slot && zone && current && zone !== current && !slot.dataset.asked && window.htmx) {
      slot.dataset.asked = "1";
      htmx.ajax("GET", slot.dataset.tzHint + "?phone=" + encodeURIComponent(zone), { target: slot, swap: "innerHTML" });
    }
  }

  // The zone hint's "Not now": put it aside until the next page (nothing is remembered).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-tz-dismiss]");
    if (!button) return;
    var slot = button.closest("[data-tz-hint]");
    if (slot) slot.innerHTML = "";
    var heading = document.querySelector("main h1");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  });

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

  // Forms marked data-live-errors drop a field's message once it is fixed: a needed field filled
  // in, a long one short enough, a choice tapped. The server checks again on submit.
  function isFixed(field) {
    if (field.type === "radio" || field.type === "checkbox") {
      return !!field.form.querySelector('input[name="' + field.name + '"]:checked');
    }
    var value = field.value || "";
    var max = parseInt(field.dataset.maxlength || field.getAttribute("maxlength") || "0", 10);
    if (!value.trim() || (max && value.length > max)) return false;
    return !(field.type === "date" && field.max && value > field.max);
  }
  function clearFixedError(event) {
    var field = event.target;
    var form = field.form;
    if (!form || !form.hasAttribute("data-live-errors")) return;
    if (!isFixed(field)) return;
    var box = field.closest(".invalid");
    if (box && form.contains(box)) clearBox(box);
    // The summary goes with the last message (or, alone, once anything is answered).
    var summary = form.querySelector(".form-error");
    if (!summary) return;
    var left = form.querySelectorAll(".invalid").length;
    if (!left) { summary.remove(); return; }
    summary.textContent = summary.textContent.replace(/\d+ things?/, left + (left === 1 ? " thing" : " things"));
  }
  function clearBox(box) {
    box.classList.remove("invalid");
    box.querySelectorAll(".error").forEach(function (message) { message.remove(); });
    box.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    [box].concat(Array.prototype.slice.call(box.querySelectorAll("[aria-describedby]"))).forEach(function (el) {
      var ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && document.getElementById(id); });
      if (ids.length) el.setAttribute("aria-describedby", ids.join(" ")); else el.removeAttribute("aria-describedby");
    });
  }
  document.addEventListener("input", clearFixedError);
  document.addEventListener("change", clearFixedError);

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

  // A server's acknowledgement of an action that leaves nothing else to show.
  document.addEventListener("notice", function (event) {
    if (event.detail && event.detail.value) toast(event.detail.value);
  });

  document.addEventListener("streak-grew", function () {
    var card = document.getElementById("streak-card");
    if (card) card.classList.add("grew");
  });

  // Moments: a badge, a milestone, a freeze. A short card in the page's flow that never blocks
  // anything; it comes in the page (after a redirect) or as an htmx "celebrate" event.
  function showMoment(el) {
    var close = el.querySelector("[data-moment-close]");
    if (close) close.hidden = false;
    requestAnimationFrame(function () { el.classList.add("in"); });
    // It stays until closed or the next page: in the page's flow it covers nothing, and a timer
    // would take it away from someone still reading.
    if (navigator.vibrate && !window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
      try { navigator.vibrate(20); } catch (e) { /* not allowed before a tap */ }
    }
  }
  // A badge's card goes to the share sheet as story cards do (js/share.js, fetched only when a
  // celebration has a card to share, so pages without one never load it).
  function shareable(el) {
    if (!navigator.share || !el.querySelector("[data-share]")) return;
    if (window.otcSharePrepare) { window.otcSharePrepare(el); return; }
    var box = document.getElementById("moments");
    if (!box || !box.dataset.shareJs || document.querySelector("script[data-share-loader]")) return;
    var script = document.createElement("script");
    script.src = box.dataset.shareJs;
    script.setAttribute("data-share-loader", "");
    document.head.appendChild(script);
  }
  function showMoments(root) {
    root.querySelectorAll("#moments [data-moment]:not(.shown)").forEach(function (el) {
      el.classList.add("shown");
      showMoment(el);
      shareable(el);
    });
  }
  document.addEventListener("celebrate", function (event) {
    var box = document.getElementById("moments");
    var template = document.getElementById("moment-template");
    if (!box || !template || !event.detail) return;
    (event.detail.moments || []).forEach(function (moment) {
      var el = template.content.firstElementChild.cloneNode(true);
      el.classList.add("moment-" + moment.kind, "shown");
      el.querySelectorAll("[data-share]").forEach(function (button) {
        if (!moment.card) { button.remove(); return; }
        button.dataset.card = moment.card;
        button.dataset.title = moment.title || "";
      });
      el.querySelectorAll("[data-field]").forEach(function (field) {
        var value = moment[field.dataset.field];
        if (field.tagName === "A") {
          if (value) field.href = value; else field.remove();
        } else {
          field.textContent = value || "";
        }
      });
      // Beside what earned it, in the page's flow: it never covers anything.
      var target = event.target;
      if (target && target.closest && target.closest("main") && target !== box) {
        target.after(el);
      } else {
        box.appendChild(el);
      }
      showMoment(el);
      shareable(el);
    });
  });
  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-moment-close]");
    if (close) close.closest("[data-moment]").remove();
  });

  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () { enhance(document); showMoments(document); });
  document.addEventListener("htmx:afterSettle", function () { showMoments(document); });

  document.addEventListener("htmx:load", function (event) { enhance(event.detail.elt.ownerDocument || document); });
})();
