// Settings → Notifications: ask for permission only after a tap, subscribe this device, or unsubscribe it.
(function () {
  "use strict";

  var root = document.querySelector("[data-push]");
  if (!root || root.dataset.ready || !root.dataset.key) return;
  root.dataset.ready = "1";
  var status = root.querySelector("[data-push-status]");

  function show(state) {
    root.querySelectorAll("[data-push-when]").forEach(function (el) {
      el.hidden = el.dataset.pushWhen !== state;
    });
  }
  function say(text) { status.textContent = text; }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function send(method, body) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return fetch(root.dataset.subscriptions, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": meta ? meta.content : "" },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (!response.ok && response.status !== 204) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          throw new Error(data.error || "The server said no (" + response.status + ").");
        });
      }
      return response;
    });
  }

  function refreshDevices() {
    return fetch(root.dataset.devices, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var list = document.getElementById("push-devices");
        if (list) list.outerHTML = html;
      });
  }

  function knownEndpoints() {
    return Array.prototype.map.call(document.querySelectorAll("#push-devices [data-endpoint]"), function (el) {
      return el.dataset.endpoint;
    });
  }

  // iPhone and iPad (iPadOS reports itself as a Mac with a touch screen): push works only from the Home Screen.
  var ios = /iPad|iPhone|iPod/.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  var standalone = navigator.standalone === true || window.matchMedia("(display-mode: standalone)").matches;
  if (ios && !standalone) { show("ios"); return; }
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    show("unsupported");
    return;
  }

  var ready = navigator.serviceWorker.ready;
  ready.then(function (registration) { return registration.pushManager.getSubscription(); })
    .then(function (subscription) {
      if (subscription && knownEndpoints().indexOf(subscription.endpoint) === -1) {
        // Removed from the list (here or on another device): this browser stops as well.
        return subscription.unsubscribe().then(function () { return null; });
      }
      return subscription;
    })
    .then(function (subscription) {
      if (subscription) show("on");
      else show(Notification.permission === "denied" ? "denied" : "off");
    })
    .catch(function () { show("off"); });

  root.querySelector("[data-push-on]").addEventListener("click", function (event) {
    var button = event.currentTarget;
    button.disabled = true;
    say("Asking your browser…");
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") {
          show(permission === "denied" ? "denied" : "off");
          say(permission === "denied" ? "" : "Nothing changed: notifications stay off.");
          return null;
        }
        return ready.then(function (registration) {
          return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(root.dataset.key) });
        }).then(function (subscription) {
          return send("POST", subscription.toJSON());
        }).then(function () {
          show("on");
          say("Notifications are on for this device.");
          return refreshDevices();
        });
      })
      .catch(function (error) { say("That didn't work: " + error.message + " Try again in a moment."); })
      .then(function () { button.disabled = false; });
  });

  root.querySelector("[data-push-off]").addEventListener("click", function (event) {
    var button = event.currentTarget;
    button.disabled = true;
    ready.then(function (registration) { return registration.pushManager.getSubscription(); })
      .then(function (subscription) {
        if (!subscription) return null;
        var endpoint = subscription.endpoint;
        return subscription.unsubscribe().then(function () { return send("DELETE", { endpoint: endpoint }); });
      })
      .then(function () {
        show("off");
        say("Notifications are off for this device.");
        return refreshDevices();
      })
      .catch(function (error) { say("That didn't work: " + error.message); })
      .then(function () { button.disabled = false; });
  });
})();
