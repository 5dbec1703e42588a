// One True Customer: the story page's Share button. The phone's share sheet gets the card itself
// where the browser can share files; elsewhere the Download card link and Copy link button (which
// work without this file) are pointed out instead.
(function () {
  "use strict";
  // The story page can arrive several times through hx-boost; one set of listeners is enough.
  if (window.otcShare) return;
  window.otcShare = true;

  var files = {};

  function canShareFiles() {
    if (!navigator.canShare || !navigator.share || typeof File === "undefined") return false;
    try {
      var probe = new File([new Uint8Array([137, 80, 78, 71])], "card.png", { type: "image/png" });
      return navigator.canShare({ files: [probe] });
    } catch (error) {
      return false;
    }
  }

  // Fetch the card before the tap: share() must run while the tap still counts as one (Safari).
  function prepare(root) {
    var sharing = canShareFiles();
    root.querySelectorAll("[data-share]").forEach(function (button) {
      button.hidden = false;
      var url = button.dataset.card;
      if (!sharing || files[url]) return;
      fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("card " + response.status);
          return response.blob();
        })
        .then(function (blob) {
          files[url] = new File([blob], button.dataset.filename || "story.png", { type: "image/png" });
        })
        .catch(function () {});
    });
  }

  function showFallback(button) {
    var panel = button.closest("section") || document;
    var note = panel.querySelector("[data-share-note]");
    if (note) note.hidden = false;
    var download = panel.querySelector("[data-download]");
    if (download) download.focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-share]");
    if (!button) return;
    event.preventDefault();
    var file = files[button.dataset.card];
    var data = file ? { files: [file], title: button.dataset.title } : null;
    if (data && button.dataset.url) data.url = button.dataset.url;
    if (!data || !navigator.canShare(data)) {
      showFallback(button);
      return;
    }
    navigator.share(data).catch(function (error) {
      // Closing the share sheet is a choice, not a failure.
      if (error && error.name !== "AbortError") showFallback(button);
    });
  });

  document.addEventListener("htmx:load", function (event) { prepare(event.detail.elt); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { prepare(document); });
  } else {
    prepare(document);
  }
})();
