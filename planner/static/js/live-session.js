/* Live session: keep the page in step with the meeting without reloading it.
   Polls the JSON state every few seconds; updates times used and the quorum in place, and
   reloads the page when the secretariat moves to another item or changes the meeting's
   state (so the page is exactly what a reload without JavaScript shows). */
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-live-url");
  var status = root.getAttribute("data-status");
  var current = root.getAttribute("data-current") || "";
  var interval = status === "in_session" ? 5000 : 15000;

  function setText(element, text) {
    if (element && element.textContent !== text) { element.textContent = text; }
  }

  function apply(state) {
    var nowCurrent = state.current_item_id === null ? "" : String(state.current_item_id);
    if (state.status !== status || nowCurrent !== current) {
      window.location.reload();
      return;
    }
    state.items.forEach(function (item) {
      var row = root.querySelector('tr[data-item-id="' + item.id + '"]');
      if (!row) { window.location.reload(); return; }
      var used = row.querySelector('[data-live="used"]');
      if (used && used.firstChild) { used.firstChild.nodeValue = item.used_label + " "; }
      var over = row.querySelector('[data-live="over"]');
      if (over) { over.hidden = !item.over; }
      if (String(item.id) === current) {
        setText(root.querySelector('[data-live="current-used"]'), item.used_label);
        var currentOver = root.querySelector('[data-live="current-over"]');
        if (currentOver) { currentOver.hidden = !item.over; }
      }
    });
    var box = root.querySelector('[data-live="quorum-box"]');
    if (box) {
      box.classList.toggle("quorum--reached", state.quorum.reached);
      box.classList.toggle("quorum--missing", !state.quorum.reached);
      setText(box.querySelector(".quorum__icon"), state.quorum.reached ? "\u2714" : "\u2716");
      setText(box.querySelector('[data-live="quorum"]'), state.quorum.label);
    }
    setText(root.querySelector('[data-live="as-of"]'), state.as_of_label);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.redirected || !response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(apply)
      .catch(function () { /* offline or signed out: the Refresh button still works */ })
      .then(function () { window.setTimeout(poll, interval); });
  }

  window.setTimeout(poll, interval);
}());
