// One True Customer service worker. Each concern is its own block of listeners and functions, so
// others (push notifications) add theirs beside it without touching these.
"use strict";

// Rendered by the server: the static files under their content-hashed names, and a cache named
// for them and for this script, so a new release is a new worker that fetches them and drops the
// old cache.
const CACHE = "otc-shell-{{ version }}";
const STATIC = {{ static_urls|tojson }};
const SHELL_PAGES = ["{{ card_url }}", "{{ offline_url }}"];
const OFFLINE_URL = "{{ offline_url }}";
const SIGN_IN_URL = "{{ sign_in_url }}";
const SIGN_OUT_URL = "{{ sign_out_url }}";

// ==== Offline: the shell, pages as last seen, versioned static files =========================
// Pages: network first, the last copy seen as the fallback, then an honest offline page.
// Signed-in pages are kept only while the person is signed in: signing out, a 401 or the sign-in
// page forgets them all. POSTs and plain htmx requests (fragments) never touch the caches.
const PAGES = "otc-pages";
// A board link is kept by nobody but the screen: a changed link must stop at once.
const NEVER_KEPT = [SIGN_IN_URL, "/invite/", "/reset/", "/board/"];
const HASHED = /^(.+)\.[0-9a-f]{12}(\.[A-Za-z0-9]+)$/;

self.addEventListener("install", (event) => {
  // No skipWaiting here: the new worker waits, and takes over at the next navigation (js/pwa.js).
  event.waitUntil(offlinePrecache());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(offlineDropOldShells().then(() => self.clients.claim()));
});

self.addEventListener("message", (event) => {
  if (event.data === "take-over") self.skipWaiting();
  // A page asks which release it is running under (js/pwa.js says "Updated" when it changed).
  else if (event.data === "release?" && event.ports[0]) event.ports[0].postMessage(CACHE);
});

self.addEventListener("fetch", (event) => {
  const answer = offlineAnswer(event);
  if (answer) event.respondWith(answer);
});

function offlinePrecache() {
  return caches.open(CACHE).then((cache) =>
    cache.addAll([
      // Fetched without the cookie, so these copies hold nobody's session.
      ...SHELL_PAGES.map((path) => new Request(path, { credentials: "omit" })),
      ...STATIC,
    ])
  );
}

function offlineDropOldShells() {
  return caches.keys().then((keys) => {
    const old = keys.filter((key) => key.startsWith("otc-shell-") && key !== CACHE);
    return Promise.all(old.map((key) => caches.delete(key)));
  });
}

// The promise to answer a request with, or null to leave it to the browser.
function offlineAnswer(event) {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return null;
  if (request.method !== "GET") {
    if (url.pathname === SIGN_OUT_URL) event.waitUntil(offlineForgetPages());
    return null;
  }
  if (offlineWantsPage(request)) return offlinePage(event, request, url);
  if (HASHED.test(url.pathname)) return offlineStatic(request, url);
  return null;
}

// A navigation, or an htmx request that wants the whole page (boosted links and forms, history
// restores: pwa/web.py's wants_fragment). A plain htmx request gets a fragment, which must never
// stand in for a page, nor a page for it: those go to the network alone.
function offlineWantsPage(request) {
  if (request.mode === "navigate") return true;
  const headers = request.headers;
  return headers.get("HX-Request") === "true" &&
    (headers.get("HX-Boosted") === "true" || headers.get("HX-History-Restore-Request") === "true");
}

// One cache entry per page address, whether a navigation or a boosted request fetched it: both
// get the same whole page (Vary: HX-Request only tells a fragment from a page).
function offlinePageKey(url) {
  return new Request(url.origin + url.pathname + url.search);
}

async function offlinePage(event, request, url) {
  const waiting = self.registration.waiting;
  if (waiting) {
    // A new release is ready: it takes over at this navigation. A boosted one becomes a full
    // load (htmx follows HX-Redirect), so no page mixes files of two releases.
    if (request.mode !== "navigate") {
      return new Response("", { status: 200, headers: { "HX-Redirect": url.pathname + url.search } });
    }
    waiting.postMessage("take-over");
  }
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    return (await offlineSavedPage(url)) || offlineFallback();
  }
  const landed = new URL(response.url || url.href);
  if (response.status === 401 || landed.pathname === SIGN_IN_URL) {
    // The sign-in has ended (or never was): nothing of the last person stays on this phone.
    event.waitUntil(offlineForgetPages());
  } else if (offlineKeepable(response, landed)) {
    event.waitUntil(offlineKeep(landed, response.clone()));
  }
  return response;
}

function offlineKeepable(response, url) {
  return response.status === 200 && response.type === "basic" && !response.redirected &&
    (response.headers.get("Content-Type") || "").startsWith("text/html") &&
    !NEVER_KEPT.some((path) => url.pathname.startsWith(path));
}

async function offlineKeep(url, response) {
  const headers = new Headers(response.headers);
  // The body is already decoded; events were for the moment it was first shown.
  for (const name of ["Content-Encoding", "Content-Length", "HX-Trigger", "HX-Trigger-After-Settle"]) {
    headers.delete(name);
  }
  headers.set("X-Saved-At", String(Date.now()));
  const body = await response.blob();
  const cache = await caches.open(PAGES);
  await cache.put(offlinePageKey(url), new Response(body, { status: 200, headers }));
}

// The pages, and the story drafts kept on this phone (js/queue.js): never after a sign-in ends.
function offlineForgetPages() {
  const drafts = self.otcDrafts ? self.otcDrafts.forgetAll().catch(() => {}) : null;
  return Promise.all([caches.delete(PAGES), drafts]);
}

// The last copy of the page seen online (or the shell's copy of the card), marked as such.
async function offlineSavedPage(url) {
  const pages = await caches.open(PAGES);
  const saved = (await pages.match(offlinePageKey(url), { ignoreVary: true })) ||
    (url.pathname !== OFFLINE_URL && (await caches.match(url.pathname, { cacheName: CACHE })));
  return saved ? offlineMarked(saved) : null;
}

// Unhide the page's own offline note and say when the copy was saved (see base.html).
async function offlineMarked(response) {
  const savedAt = Number(response.headers.get("X-Saved-At"));
  const when = savedAt
    ? new Date(savedAt).toLocaleString([], { weekday: "short", hour: "numeric", minute: "2-digit" })
    : "";
  const html = (await response.text())
    .replace("data-offline-note hidden", "data-offline-note data-from-cache")
    .replace("<span data-saved-at></span>", `<span data-saved-at>Saved on this phone${when ? " " + when : ""}.</span>`);
  const headers = new Headers(response.headers);
  headers.delete("X-Saved-At");
  return new Response(html, { status: 200, headers });
}

// Status 200 so htmx shows it for a tab tap too, instead of leaving the old page and a toast.
async function offlineFallback() {
  const page = await caches.match(OFFLINE_URL, { cacheName: CACHE });
  return page ? new Response(await page.blob(), { status: 200, headers: page.headers }) : Response.error();
}

// A hashed name never changes its content: the cached copy is always right.
async function offlineStatic(request, url) {
  const shell = await caches.open(CACHE);
  const cached = await shell.match(request, { ignoreVary: true });
  if (cached) return cached;
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") await shell.put(request, response.clone());
    return response;
  } catch (error) {
    // A page saved under an older release names older hashes: today's version of the same file
    // is the best stand-in offline.
    const plain = url.pathname.replace(HASHED, "$1$2");
    const current = STATIC.find((path) => path.replace(HASHED, "$1$2") === plain);
    const stand_in = current && (await shell.match(current));
    if (stand_in) return stand_in;
    throw error;
  }
}
// ==== end of Offline ==========================================================================

// ==== Offline check-in queue: Background Sync sends what js/queue.js kept ======================
importScripts("{{ queue_url }}");

self.addEventListener("sync", (event) => {
  if (event.tag === self.otcQueue.SYNC_TAG) event.waitUntil(queueFlush());
});

// A token for this session, from a page fetched with its cookie (the worker has no page of its own).
function queueToken() {
  return fetch("{{ card_url }}", { credentials: "same-origin" })
    .then((response) => response.text())
    .then((html) => {
      const found = /name="csrf-token" content="([^"]+)"/.exec(html);
      if (!found) throw new Error("no token");
      return found[1];
    });
}

function queueFlush() {
  return self.otcQueue.flush(queueToken).then((outcome) =>
    self.clients.matchAll({ type: "window" }).then((windows) => {
      windows.forEach((client) => client.postMessage({ queue: outcome }));
      // Still waiting: fail, so the browser tries again later.
      if (outcome.waiting) throw new Error("check-ins still waiting");
    })
  );
}
// ==== end of Offline check-in queue ===========================================================

// ==== Push notifications ======================================================================
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
