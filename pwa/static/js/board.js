// The team board: rotates its cards, and says so when a poll can't reach the server.
// htmx polls the board's live part; a failed poll swaps nothing, so the last good content stays.
(function () {
  "use strict";

  var current = null; // the key of the card on show, kept across polls

  function live() { return document.getElementById("board-now"); }

  function slides() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-slide]"));
  }

  function show(key) {
    var all = slides();
    if (!all.length) { current = null; return; }
    if (!all.some(function (s) { return s.dataset.slide === key; })) key = all[0].dataset.slide;
    current = key;
    all.forEach(function (slide) { slide.classList.toggle("is-current", slide.dataset.slide === key); });
    document.querySelectorAll("[data-dot]").forEach(function (dot) {
      dot.classList.toggle("is-current", dot.dataset.dot === key);
    });
  }

  function next() {
    var all = slides();
    if (all.length < 2) return;
    var at = all.findIndex(function (s) { return s.dataset.slide === current; });
    show(all[(at + 1) % all.length].dataset.slide);
  }

  function offline(on) {
    var note = document.querySelector("[data-board-offline]");
    if (note) note.hidden = !on;
  }

  function start() {
    var board = live();
    var seconds = board ? parseInt(board.dataset.rotate || "12", 10) : 12;
    show(current);
    setInterval(next, Math.max(seconds, 3) * 1000);
  }

  // A new live part arrived: the same card stays on show if it is still there.
  document.addEventListener("htmx:afterSwap", function () {
    show(current);
    offline(false);
  });
  // No answer (offline, timeout) or a server error: keep everything, say we're reconnecting.
  ["htmx:sendError", "htmx:timeout", "htmx:responseError"].forEach(function (name) {
    document.addEventListener(name, function () { offline(true); });
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
