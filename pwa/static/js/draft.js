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
    if (xhr && xhr.otcDraft && event.detail.successful) saved = Math.max(saved, xhr.otcDraft);
  });

  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });
})();
