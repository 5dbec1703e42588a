// One True Customer service worker: the quick reference card and the app's look work offline.
// Private pages are never cached: only the signed-out reference card, an offline page and static files.
"use strict";

const CACHE = "otc-shell-v1";
const PAGES = ["/card", "/offline"];
const STATIC = [
  "/static/css/app.css",
  "/static/js/app.js",
  "/static/vendor/htmx.min.js",
  "/static/icons/icon.svg",
  "/static/icons/icon-192.png",
];

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
    // Stale while revalidate: instant from the cache, refreshed for next time.
    event.respondWith(
      caches.open(CACHE).then((cache) =>
        cache.match(request).then((cached) => {
          const fresh = fetch(request)
            .then((response) => {
              if (response.ok) cache.put(request, response.clone());
              return response;
            })
            .catch(() => cached);
          return cached || fresh;
        })
      )
    );
  }
});
