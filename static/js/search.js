/* Title autocomplete for every search box with data-autocomplete-url (site header, search page).
   No inline script: loaded with defer from base.html, so the strict CSP holds. */
(function () {
  "use strict";

  var DELAY_MS = 200;
  var MIN_LENGTH = 1;

  function setup(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!list) { return; }
    var url = input.getAttribute("data-autocomplete-url");
    var timer = null;
    var controller = null;
    var active = -1;

    function close() {
      list.hidden = true;
      list.textContent = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function options() { return list.querySelectorAll("[role=option]"); }

    function highlight(index) {
      var items = options();
      if (!items.length) { return; }
      active = (index + items.length) % items.length;
      for (var i = 0; i < items.length; i++) {
        items[i].setAttribute("aria-selected", i === active ? "true" : "false");
      }
      input.setAttribute("aria-activedescendant", items[active].id);
    }

    function render(results) {
      list.textContent = "";
      if (!results.length) { close(); return; }
      results.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var link = document.createElement("a");
        link.href = item.url;
        link.textContent = item.title; /* textContent: titles are never parsed as HTML */
        link.tabIndex = -1;
        li.appendChild(link);
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      if (q.length < MIN_LENGTH) { close(); return; }
      if (controller) { controller.abort(); }
      controller = typeof AbortController === "function" ? new AbortController() : null;
      fetch(url + "?q=" + encodeURIComponent(q), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        return response.ok ? response.json() : { results: [] };
      }).then(function (data) {
        if (input.value.trim() === q) { render(data.results || []); }
      }).catch(function () { /* aborted or offline: keep the plain search box working */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.href = options()[active].querySelector("a").href;
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function init() {
    /* The search page's 筛选 panel: closed on phones (results first), open as a sidebar on wide screens. */
    var wide = window.matchMedia("(min-width: 768px)");
    var panels = document.querySelectorAll("details[data-open-wide]");
    function fitPanels() {
      for (var p = 0; p < panels.length; p++) { panels[p].open = wide.matches; }
    }
    fitPanels();
    if (wide.addEventListener) { wide.addEventListener("change", fitPanels); }
    var inputs = document.querySelectorAll("input[data-autocomplete-url]");
    for (var i = 0; i < inputs.length; i++) { setup(inputs[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
