// Filter box for core.widgets.FilterableCheckboxSelectMultiple: hides the options whose label does not
// contain the typed text (ticked options always stay visible) and says how many are ticked.
(function () {
  "use strict";

  function setUp(root) {
    if (root.dataset.checkboxFilterReady) return;
    root.dataset.checkboxFilterReady = "1";
    const bar = root.querySelector("[data-checkbox-filter-bar]");
    const input = root.querySelector("[data-checkbox-filter-input]");
    const count = root.querySelector("[data-checkbox-filter-count]");
    const empty = root.querySelector("[data-checkbox-filter-empty]");
    // Django renders each option as <div><label><input> text</label></div>: hide the whole row.
    const rowOf = (box) => box.closest("label").parentElement;

    function update() {
      const boxes = Array.from(root.querySelectorAll("input[type=checkbox]"));
      const query = input.value.trim().toLowerCase();
      let matches = 0;
      let ticked = 0;
      boxes.forEach((box) => {
        const match = !query || box.closest("label").textContent.toLowerCase().includes(query);
        rowOf(box).hidden = !(match || box.checked);
        if (match) matches += 1;
        if (box.checked) ticked += 1;
      });
      count.textContent = count.dataset.template.replace("{checked}", ticked).replace("{total}", boxes.length);
      empty.hidden = matches > 0;
    }

    bar.hidden = false;
    input.addEventListener("input", update);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault(); // Enter filters; it must not submit the page form.
    });
    root.addEventListener("change", update);
    update();
  }

  function setUpAll() {
    document.querySelectorAll("[data-checkbox-filter]").forEach(setUp);
  }

  function start() {
    setUpAll();
    // Panels added later (inline forms, modals) bring their own widgets.
    new MutationObserver(setUpAll).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
