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
