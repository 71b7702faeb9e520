// Keeps the minutes in view up to date while the secretariat writes the notes.
// Without JavaScript, reloading the page shows the same thing.
(function () {
  "use strict";
  var container = document.querySelector("[data-refresh-url]");
  if (!container || !window.fetch) { return; }
  var status = document.getElementById("minutes-refresh-status");
  var url = container.getAttribute("data-refresh-url");
  var current = container.innerHTML.trim();
  var PERIOD = 5000;

  function refresh() {
    if (document.hidden) { return schedule(); }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null && html.trim() !== current) {
          current = html.trim();
          // The fragment is our own server-rendered, sanitised HTML.
          container.innerHTML = current;
          if (status) { status.textContent = status.getAttribute("data-updated") || "↻"; }
        }
      })
      .catch(function () { /* offline for a moment: try again at the next tick */ })
      .then(schedule);
  }
  function schedule() { window.setTimeout(refresh, PERIOD); }
  schedule();
})();
