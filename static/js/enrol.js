/* Enrolment forms: one click is one request (the server is idempotent too: one enrolment per cadre, course
 * and year). No inline scripts (CSP). */
(function () {
  "use strict";
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (form.dataset.sent) { ev.preventDefault(); return; }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); b.classList.add("busy"); });
    });
  });
})();
