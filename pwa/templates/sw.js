// One True Customer service worker: the quick reference card and the app's look work offline.
// Private pages are never cached: only the signed-out reference card, an offline page and static files.
"use strict";

// Rendered by the server: the static files under their content-hashed names, and a cache named
// for them, so a new version of any file is a new worker that fetches it and drops the old cache.
const CACHE = "otc-shell-{{ version }}";
const PAGES = ["/card", "/offline"];
const STATIC = {{ static_urls|tojson }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll([
        // Fetched without the cookie, so the cached pages hold nobody's session.
        ...PAGES.map((path) => new Request(path, { credentials: "omit" })),
        ...STATIC,
      ])
    ).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    const fallback = url.pathname === "/card" ? "/card" : "/offline";
    event.respondWith(fetch(request).catch(() => caches.match(fallback)));
    return;
  }
  if (STATIC.includes(url.pathname)) {
    // A hashed name never changes its content: the cached copy is always right.
    event.respondWith(caches.match(request).then((cached) => cached || fetch(request)));
  }
});

// Push: the server sends Declarative Web Push JSON ({"web_push": 8030, "notification": {...}}), which
// new Safari shows by itself; everywhere else this handler shows the same notification.
self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    message = { notification: { title: "One True Customer", body: event.data.text() } };
  }
  const note = message.notification || {};
  const url = new URL(note.navigate || "/", self.location.origin);
  event.waitUntil(
    self.registration.showNotification(note.title || "One True Customer", {
      body: note.body || "",
      tag: note.tag || undefined,
      icon: note.icon || undefined,
      badge: note.badge || undefined,
      lang: note.lang || "en",
      dir: note.dir || "auto",
      // Only our own screens are ever opened from a notification.
      data: { url: url.origin === self.location.origin ? url.href : self.location.origin + "/" },
    })
  );
});

// Tapping a notification focuses the app if it is open (on the right screen), or opens it there.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = (event.notification.data && event.notification.data.url) || self.location.origin + "/";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const same = windows.find((client) => client.url === target);
      if (same) return same.focus();
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (open && "navigate" in open) {
        return open.navigate(target).then((client) => (client || open).focus()).catch(() => self.clients.openWindow(target));
      }
      return self.clients.openWindow(target);
    })
  );
});
