// One True Customer: the story draft is kept as you type, even if you close the app at once.
// htmx saves it after a pause in typing; whatever was typed since the last save goes to the
// server by navigator.sendBeacon when the page is hidden, closed or left through a boosted link.
(function () {
  "use strict";
  // The form can arrive several times through hx-boost; one set of listeners is enough.
  if (window.otcDraft) return;
  window.otcDraft = true;

  var typed = 0; // changes made to the draft so far
  var saved = 0; // how many of them the server holds
  var form = null; // the story form they were made in

  function draftArea(element) {
    return element && element.closest ? element.closest("[data-draft]") : null;
  }

  function changed(event) {
    var area = draftArea(event.target);
    if (!area) return;
    form = area.closest("form");
    typed += 1;
  }
  document.addEventListener("input", changed, true);
  document.addEventListener("change", changed, true);

  // Publishing, saving or discarding sends the form itself: nothing is left to flush after it.
  document.addEventListener("submit", function (event) {
    if (event.target === form) saved = typed;
  }, true);

  function flush() {
    if (!form || saved >= typed || !navigator.sendBeacon || !document.body.contains(form)) return;
    var area = form.querySelector("[data-draft]");
    // A form-encoded body carries the CSRF token where the server's check reads it.
    var body = new URLSearchParams(new FormData(form));
    body.set("via", "beacon");
    if (navigator.sendBeacon(area.dataset.draft, body)) saved = typed;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail.elt;
    if (draftArea(element)) {
      // htmx's own autosave: it carries every change made so far.
      if (event.detail.xhr) event.detail.xhr.otcDraft = typed;
    } else if (event.detail.boosted && !(form && form.contains(element))) {
      flush(); // a tap on a tab or a link swaps the form away before its autosave runs
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.otcDraft && event.detail.successful) {
      saved = Math.max(saved, xhr.otcDraft);
      var area = draftArea(event.detail.elt);
      if (area) area.dataset.draftAt = String(Date.now()); // the server holds what was typed
    }
  });

  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });

  // The copy on this phone (js/queue.js's otcDrafts, IndexedDB): written at every change, so a
  // draft typed offline survives a reload or a closed browser; shown again when the person comes
  // back to the form, sent to the server's draft once online, forgotten once published or
  // discarded (js/pwa.js) and whenever the sign-in ends.
  var drafts = window.otcDrafts;
  if (!drafts || !window.indexedDB) return;

  function person() { return document.body.dataset.person || ""; }
  function storyForm() {
    var area = document.querySelector("form [data-draft]");
    return area ? area.closest("form") : null;
  }
  function fieldsOf(form) {
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && typeof value === "string") fields[name] = value;
    });
    return fields;
  }

  // Writes go one at a time, the newest last: a burst of typing is never saved out of order.
  var latest = null;
  var writing = null;
  function keepLocal(draft) {
    latest = draft;
    if (writing) return writing;
    writing = (function next() {
      var draft = latest;
      latest = null;
      return drafts.keep(draft).then(function () { if (latest) return next(); });
    })().catch(function () {}).then(function () { writing = null; });
    return writing;
  }

  function showNote(form, at) {
    var text = form.querySelector("[data-local-draft-text]");
    if (text) {
      var when = new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      text.textContent = "Draft kept on this phone · " + when;
    }
    form.querySelectorAll("[data-local-draft]").forEach(function (el) { el.hidden = false; });
  }

  // The server's draft gets the phone's copy (once back online, or at once if online).
  function send(form) {
    var area = form.querySelector("[data-draft]");
    if (!navigator.onLine || !area || !document.body.contains(form)) return;
    var body = new URLSearchParams(new FormData(form));
    body.set("via", "beacon");
    fetch(area.dataset.draft, { method: "POST", credentials: "same-origin", body: body })
      .then(function (response) { if (response.ok) area.dataset.draftAt = String(Date.now()); })
      .catch(function () { /* still offline: the next `online` sends it */ });
  }

  function kept(event) {
    var area = draftArea(event.target);
    if (!area || !person()) return;
    var form = area.closest("form");
    var draft = { key: "story:" + person(), person: person(), fields: fieldsOf(form), at: Date.now() };
    keepLocal(draft);
    showNote(form, draft.at);
  }
  document.addEventListener("input", kept, true);
  document.addEventListener("change", kept, true);

  // Offline, the autosave can't reach the server: the phone keeps the draft, quietly.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (draftArea(event.detail.elt) && navigator.onLine === false) event.preventDefault();
  });
  // "Yes, discard the draft" offline: the phone's copy and the form's text go, here and now.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-local-discard]");
    if (!button || navigator.onLine !== false) return; // online: the server discards, then forgets
    event.preventDefault();
    var form = button.closest("form");
    drafts.forget("story:" + person()).catch(function () {});
    form.querySelectorAll("textarea, input[type=text]").forEach(function (field) { field.value = ""; });
    form.querySelectorAll("input[type=radio]").forEach(function (field) { field.checked = false; });
    form.querySelectorAll("[data-local-draft]").forEach(function (el) { el.hidden = true; });
    var details = button.closest("details");
    if (details) details.open = false;
  });

  function fill(form, fields) {
    Object.keys(fields).forEach(function (name) {
      if (name === "key") return; // the form's own key: a later Publish is still one story
      form.querySelectorAll('[name="' + name + '"]').forEach(function (field) {
        if (field.type === "radio" || field.type === "checkbox") field.checked = field.value === fields[name];
        else if (field.type !== "hidden") field.value = fields[name];
      });
    });
  }

  // Coming back to the form: the phone's copy is put back when it is newer than the server's.
  function restore() {
    var form = storyForm();
    if (!form || !person() || form.dataset.restored) return;
    form.dataset.restored = "1";
    if (document.querySelector("[data-draft-gone]")) return; // just published or discarded
    var area = form.querySelector("[data-draft]");
    drafts.get("story:" + person()).then(function (draft) {
      if (!draft || draft.person !== person()) return;
      // Clocks of phone and server may differ a little; a draft typed elsewhere later wins.
      if (draft.at <= Number(area.dataset.draftAt || 0)) return;
      fill(form, draft.fields);
      showNote(form, draft.at);
      send(form);
    }).catch(function () {});
  }
  window.addEventListener("online", function () {
    var form = storyForm();
    if (!form || !person()) return;
    var area = form.querySelector("[data-draft]");
    drafts.get("story:" + person()).then(function (draft) {
      if (draft && draft.at > Number(area.dataset.draftAt || 0)) send(form);
    }).catch(function () {});
  });
  document.addEventListener("htmx:afterSettle", restore);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", restore);
  else restore();
})();
