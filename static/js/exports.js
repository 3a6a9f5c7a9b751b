// 我的导出: while an export is queued or running, re-read the list every 5 s and update the table in
// place (no <meta refresh>: a page that reloads itself moves keyboard and screen-reader users away).
(function () {
  "use strict";
  var POLL_MS = 5000;
  var list = document.getElementById("export-list");
  if (!list || !window.fetch || !window.DOMParser) { return; }

  function poll() {
    if (!list.hasAttribute("data-pending")) { return; }
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("export-list");
          if (fresh) {
            list.innerHTML = fresh.innerHTML;
            if (!fresh.hasAttribute("data-pending")) { list.removeAttribute("data-pending"); }
          }
        }
        window.setTimeout(poll, POLL_MS);
      })
      .catch(function () { window.setTimeout(poll, POLL_MS); });
  }

  window.setTimeout(poll, POLL_MS);
}());
