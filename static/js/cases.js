// Reading time of a case: counts only while the tab is visible and reports it every 15 s.
// The server caps each beat, so this is a measurement, not the authority.
(function () {
  "use strict";
  var el = document.querySelector("[data-case-read]");
  if (!el || !window.fetch) { return; }
  var url = el.getAttribute("data-url");
  var csrf = el.getAttribute("data-csrf");
  var BEAT_MS = 15000;
  var pending = 0;            // visible milliseconds not yet reported
  var visibleSince = null;    // when the tab last became visible

  function isVisible() { return document.visibilityState === "visible"; }

  function collect() {
    if (visibleSince !== null) {
      var now = Date.now();
      pending += now - visibleSince;
      visibleSince = isVisible() ? now : null;
    }
  }

  function send(seconds, keepalive, pause) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ seconds: seconds, pause: !!pause })
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(showStatus).catch(function () { /* offline: the next beat reports the time */ });
  }

  // The reading indicator (已阅读 / 阅读中) follows the server's count, never the browser's.
  var status = document.querySelector("[data-read-status]");
  function showStatus(data) {
    if (!status || !data) { return; }
    status.querySelectorAll("[data-read-seconds]").forEach(function (node) {
      node.textContent = String(data.seconds_visible);
    });
    status.querySelector("[data-when='reading']").hidden = data.is_read;
    status.querySelector("[data-when='read']").hidden = !data.is_read;
  }

  function beat(keepalive, pause) {
    collect();
    var seconds = Math.floor(pending / 1000);
    if (seconds <= 0 && !pause) { return; }
    pending -= Math.max(0, seconds) * 1000;
    send(Math.max(0, seconds), keepalive, pause);
  }

  document.addEventListener("visibilitychange", function () {
    if (isVisible()) {
      visibleSince = Date.now();
    } else {
      beat(true, true);  // hidden: report the time and free the clock for another lesson or case
      visibleSince = null;
    }
  });

  if (isVisible()) {
    visibleSince = Date.now();
    send(0);  // the case was opened
  } else {
    document.addEventListener("visibilitychange", function opened() {
      if (isVisible()) { send(0); document.removeEventListener("visibilitychange", opened); }
    });
  }
  window.setInterval(function () { if (isVisible()) { beat(false); } }, BEAT_MS);
})();
