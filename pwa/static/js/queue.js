// The offline check-in queue: a check-in tapped without a connection waits in IndexedDB and is
// sent once the connection returns, by the page (js/pwa.js) or the service worker's Background
// Sync (sw.js imports this file). A small module of our own: one store, four operations.
// Beside it, the story drafts kept on this phone as they are typed (js/draft.js): IndexedDB, not
// localStorage, because the worker must forget them when a sign-in ends, and it has no localStorage.
(function (scope) {
  "use strict";
  var DB = "otc-queue";
  var STORE = "checkins";
  var DRAFTS = "drafts";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 2);
      request.onupgradeneeded = function () {
        var db = request.result;
        [STORE, DRAFTS].forEach(function (name) {
          if (!db.objectStoreNames.contains(name)) db.createObjectStore(name, { keyPath: "key" });
        });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work, store) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store || STORE, mode);
        var request = work(tx.objectStore(store || STORE));
        tx.oncomplete = function () { db.close(); resolve(request.result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function add(entry) { return run("readwrite", function (store) { return store.put(entry); }); }
  function all() { return run("readonly", function (store) { return store.getAll(); }); }
  function remove(key) { return run("readwrite", function (store) { return store.delete(key); }); }

  // One entry, sent as it was tapped: its key makes a second sending change nothing.
  function send(entry, token, outcome) {
    return fetch(entry.url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "HX-Request": "true", // so a sign-in that ended answers 401, not the sign-in page
        "Idempotency-Key": entry.key,
        "X-Tapped-At": entry.tappedAt,
        "X-Queued-For": entry.person,
        "X-CSRFToken": token
      },
      body: entry.body
    }).then(function (response) {
      if (response.ok) {
        outcome.sent += 1;
        return remove(entry.key);
      }
      if (response.status === 422) {
        return response.text().then(function (text) {
          outcome.refused.push(text);
          return remove(entry.key);
        });
      }
      // 400 (a stale token), 401 (signed out), 409 (someone else's), 5xx: kept for later.
      outcome.waiting += 1;
    }, function () { outcome.waiting += 1; });
  }

  // Send every waiting check-in; token() gives a promise of a CSRF token for this session.
  function flush(token) {
    var outcome = { sent: 0, refused: [], waiting: 0 };
    return all().then(function (entries) {
      if (!entries.length) return outcome;
      return token().then(function (csrf) {
        return entries.reduce(function (chain, entry) {
          return chain.then(function () { return send(entry, csrf, outcome); });
        }, Promise.resolve());
      }, function () { outcome.waiting = entries.length; }).then(function () { return outcome; });
    });
  }

  scope.otcQueue = { add: add, all: all, flush: flush, SYNC_TAG: "otc-checkins" };

  // A draft is { key: "story:<person>", person, fields: {name: value}, at: ms }.
  function draftRun(mode, work) { return run(mode, work, DRAFTS); }
  scope.otcDrafts = {
    keep: function (draft) { return draftRun("readwrite", function (s) { return s.put(draft); }); },
    get: function (key) { return draftRun("readonly", function (s) { return s.get(key); }); },
    forget: function (key) { return draftRun("readwrite", function (s) { return s.delete(key); }); },
    // Nothing anyone wrote stays on the phone once the sign-in ends.
    forgetAll: function () { return draftRun("readwrite", function (s) { return s.clear(); }); }
  };
})(self);
