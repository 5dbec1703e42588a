// One True Customer: the Share buttons of cards (stories, recognitions, announcements, badges).
// The phone's share sheet gets the card itself where the browser can share files, or the public
// link; without a share sheet the button stays hidden and the Download card link and Copy link
// button do the job.
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
    // An image that failed before this script ran had its error event go unheard.
    root.querySelectorAll(".card-frame img").forEach(function (img) {
      if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) notDrawn(img);
    });
    var sharing = canShareFiles();
    root.querySelectorAll("[data-share]").forEach(function (button) {
      // Only where a share sheet exists; elsewhere Download card and Copy link are the way.
      button.hidden = !navigator.share;
      var url = button.dataset.card;
      if (!sharing || files[url]) return;
      fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("card " + response.status);
          return response.blob();
        })
        .then(function (blob) {
          files[url] = new File([blob], button.dataset.filename || "story.png", { type: "image/png" });
          button.dataset.cardReady = "true";
        })
        .catch(function () {});
    });
  }

  function showFallback(button) {
    var panel = button.closest("[data-share-panel]") || button.closest("section") || document;
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
    var data = { title: button.dataset.title };
    if (button.dataset.url) data.url = button.dataset.url;
    if (file && navigator.canShare && navigator.canShare({ files: [file] })) data.files = [file];
    // Without the image, the link still unfurls as the card in chat tools.
    if (!data.files && !data.url) {
      showFallback(button);
      return;
    }
    navigator.share(data).catch(function (error) {
      // Closing the share sheet is a choice, not a failure.
      if (error && error.name !== "AbortError") showFallback(button);
    });
  });

  // A card that could not be drawn: say so, rather than leave a broken image over the words.
  function notDrawn(img) {
    var words = img.parentNode.querySelector("[data-card-drawing]");
    img.remove();
    if (!words) return;
    words.textContent = "The card couldn't be drawn just now. Reload the page to try again.";
    words.removeAttribute("aria-hidden");
  }

  document.addEventListener("error", function (event) {
    var img = event.target;
    if (img.matches && img.matches(".card-frame img")) notDrawn(img);
  }, true);

  window.otcSharePrepare = prepare; // for cards that arrive later (js/app.js's celebrations)
  document.addEventListener("htmx:load", function (event) { prepare(event.detail.elt); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { prepare(document); });
  } else {
    prepare(document);
  }
})();
