// One True Customer as an installed app: the Install button, the iPhone hint, the service worker,
// the offline note and the "updated" notice. A file, not inline script, so the CSP stays strict.
(function () {
  "use strict";

  var standalone = window.matchMedia("(display-mode: standalone)");
  function installed() { return standalone.matches || navigator.standalone === true; }

  function remembered(key) {
    try { return window.localStorage.getItem(key) === "1"; } catch (e) { return false; }
  }
  function remember(key) {
    try { window.localStorage.setItem(key, "1"); } catch (e) { /* private mode: ask again next time */ }
  }

  // Install ------------------------------------------------------------------------------
  // The button appears only once the browser has offered to install, and goes once installed.
  var offer = null;
  var IOS_HINT_DONE = "otc-ios-hint-dismissed";

  function isIOS() {
    return /iPhone|iPad|iPod/.test(navigator.userAgent) ||
      (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  }

  function showInstallUI() {
    var button = document.querySelector("[data-install]");
    if (button) button.hidden = !offer || installed();
    var hint = document.querySelector("[data-ios-hint]");
    // iOS has no install event: a one-time hint, never inside the installed app.
    if (hint) hint.hidden = !isIOS() || installed() || remembered(IOS_HINT_DONE);
  }

  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    offer = installed() ? null : event;
    showInstallUI();
  });
  window.addEventListener("appinstalled", function () {
    offer = null;
    showInstallUI();
  });
  if (standalone.addEventListener) standalone.addEventListener("change", showInstallUI);

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-install]") && offer) {
      var asked = offer;
      offer = null; // an offer can be used once; the browser offers again if it is declined
      showInstallUI();
      asked.prompt();
    } else if (event.target.closest("[data-ios-hint-dismiss]")) {
      remember(IOS_HINT_DONE);
      showInstallUI();
    }
  });

  document.addEventListener("DOMContentLoaded", showInstallUI);
  // A boosted navigation swaps the body, buttons included: show them as they were.
  document.addEventListener("htmx:afterSettle", showInstallUI);
})();

// Service worker, offline note, updates ------------------------------------------------------
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  var registration = null;

  function notice(text) {
    var el = document.querySelector("[data-toast]");
    if (!el) return;
    el.textContent = text;
    el.hidden = false;
    setTimeout(function () { el.hidden = true; }, 6000);
  }

  // The offline note: the page's own words (base.html's offline_note block), shown while offline
  // and on any copy the worker served from its cache.
  function showOfflineNote() {
    var note = document.querySelector("[data-offline-note]");
    if (note) note.hidden = navigator.onLine && !note.hasAttribute("data-from-cache");
  }
  window.addEventListener("online", showOfflineNote);
  window.addEventListener("offline", showOfflineNote);
  document.addEventListener("htmx:afterSettle", showOfflineNote);

  // A full page load is a navigation: a new worker waiting in the wings takes over now.
  function takeOver() {
    if (registration && registration.waiting) registration.waiting.postMessage("take-over");
  }
  // "Updated" is said once per release, on the first page shown under the new worker: the page
  // asks its worker which release it is and compares with the last one this phone saw. A page
  // being left (its navigation is what lets the new worker take over) neither asks nor tells.
  var leaving = false;
  window.addEventListener("beforeunload", function () { leaving = true; });
  window.addEventListener("pageshow", function () { leaving = false; });
  // The worker asked is the registration's active one (not the page's controller, which may be
  // the old worker on its way out and answer nothing): asked at load, when the controller
  // changes, and when a worker that was waiting becomes the active one.
  function askRelease() {
    if (leaving || !window.MessageChannel) return;
    navigator.serviceWorker.ready.then(function (found) {
      var worker = found.active;
      if (!worker || leaving) return;
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) {
        if (leaving || typeof event.data !== "string") return;
        var seen;
        try {
          seen = localStorage.getItem("otc-release");
          localStorage.setItem("otc-release", event.data);
        } catch (error) { return; }
        if (seen && seen !== event.data) {
          notice("Updated: you have the newest One True Customer.");
        }
      };
      worker.postMessage("release?", [channel.port2]);
    });
  }
  function watchWaiting(found) {
    var next = found && (found.waiting || found.installing);
    if (!next) return;
    next.addEventListener("statechange", function () {
      if (next.state === "activated" && navigator.serviceWorker.controller) askRelease();
    });
  }
  navigator.serviceWorker.addEventListener("controllerchange", askRelease);
  if (navigator.serviceWorker.controller) askRelease();
  navigator.serviceWorker.startMessages();
  // A tab tap while a new worker waits becomes a full navigation, so no page mixes two releases.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var config = event.detail.requestConfig || {};
    if (!event.detail.boosted || !registration || !registration.waiting) return;
    if ((config.verb || "get").toLowerCase() !== "get") return;
    event.preventDefault();
    window.location.assign(config.path || event.detail.pathInfo.requestPath);
  });

  document.addEventListener("DOMContentLoaded", showOfflineNote);
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (found) {
      registration = found;
      watchWaiting(found);
      found.addEventListener("updatefound", function () { watchWaiting(found); });
      takeOver();
    }).catch(function () { /* no worker: every page still works online */ });
  });
})();

// Offline check-ins ---------------------------------------------------------------------------
// A check-in tapped without a connection is kept on the phone (js/queue.js), shown as waiting,
// and sent when the connection returns: Background Sync where there is one, else on `online` and
// at the next page load.
(function () {
  "use strict";
  var queue = window.otcQueue;
  if (!queue || !window.indexedDB) return;
  var SENT = "otc-queue-sent";

  function toast(text) {
    var el = document.querySelector("[data-toast]");
    if (!el) return;
    el.textContent = text;
    el.hidden = false;
    setTimeout(function () { el.hidden = true; }, 8000);
  }

  function showWaiting(count) {
    var form = document.querySelector(".checkin-form");
    var note = document.querySelector("[data-queued-note]");
    if (!count) {
      if (note) note.remove();
      return;
    }
    if (!form) return;
    if (!note) {
      note = document.createElement("p");
      note.className = "queued-note";
      note.setAttribute("role", "status");
      note.setAttribute("data-queued-note", "");
      form.appendChild(note); // beside the button just tapped
    }
    note.textContent = "Waiting to send: your check-in is kept on this phone and goes out by itself " +
      "when you're back online.";
  }

  function refresh() { return queue.all().then(function (entries) { showWaiting(entries.length); }); }

  function keep(form) {
    var data = new URLSearchParams(new FormData(form));
    data.delete("csrf_token");
    var entry = {
      key: data.get("key") || (self.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now())),
      tappedAt: form.dataset.tappedAt || new Date().toISOString(),
      person: document.body.dataset.person || "",
      url: form.action,
      body: data.toString()
    };
    form.setAttribute("data-queued", "");
    return queue.add(entry).then(refresh).then(function () {
      if (!navigator.serviceWorker) return;
      return navigator.serviceWorker.ready.then(function (registration) {
        if (registration.sync) return registration.sync.register(queue.SYNC_TAG);
      });
    }).catch(function () { /* no Background Sync: `online` and the next load send it */ });
  }

  function token() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? Promise.resolve(meta.content) : Promise.reject(new Error("no token"));
  }

  function report(outcome) {
    if (outcome.refused.length) toast(outcome.refused[0]);
    if (outcome.sent && document.querySelector(".checkin-form, #streak-card")) {
      // Today as it now is, streak included.
      try { sessionStorage.setItem(SENT, String(outcome.sent)); } catch (e) { /* no notice */ }
      window.location.reload();
      return;
    }
    refresh();
  }

  var flushing = null;
  function flush() {
    if (flushing || !navigator.onLine) return flushing;
    flushing = queue.flush(token).then(report, function () {}).then(function () { flushing = null; });
    return flushing;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest(".checkin-form");
    if (!form) return;
    form.dataset.tappedAt = new Date().toISOString(); // the instant of the tap, not of the sending
    if (navigator.onLine === false) {
      event.preventDefault();
      keep(form);
    }
  });
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest(".checkin-form");
    if (form) keep(form);
  }, true);
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.queue) report(event.data.queue);
    });
  }
  window.addEventListener("online", flush);
  document.addEventListener("htmx:afterSettle", refresh);
  window.addEventListener("load", function () {
    var sent = null;
    try { sent = sessionStorage.getItem(SENT); sessionStorage.removeItem(SENT); } catch (e) { /* none */ }
    if (sent) toast("Sent: the check-in kept on this phone is in.");
    // A promise of the load's sending, for whoever needs the queue to be settled first.
    window.otcLoadFlush = refresh().then(flush);
  });
})();

// Story drafts kept on this phone (js/draft.js keeps them) -------------------------------------
// Forgotten once published or discarded (the page says so with data-draft-gone), and never kept
// past a sign-in: the worker forgets them at sign-out and when a sign-in ends, and so does any
// page shown to nobody signed in (for a phone without the worker).
(function () {
  "use strict";
  var drafts = window.otcDrafts;
  if (!drafts || !window.indexedDB) return;

  function settle() {
    var person = document.body && document.body.dataset.person;
    if (!person) return drafts.forgetAll().catch(function () {});
    if (document.querySelector("[data-draft-gone]")) {
      return drafts.forget("story:" + person).catch(function () {});
    }
  }
  document.addEventListener("submit", function (event) {
    var action = event.target.getAttribute && event.target.getAttribute("action");
    if (action && /\/signout$/.test(action)) drafts.forgetAll().catch(function () {});
  }, true);
  document.addEventListener("htmx:afterSettle", settle);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", settle);
  else settle();
})();
