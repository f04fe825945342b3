// Every page: marks the page as scripted (CSS then folds the header's search behind a button on a phone) and
// opens or closes that search. Without JavaScript the search box is simply always shown.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function setUp() {
    var header = document.querySelector(".site-header");
    var toggle = header && header.querySelector(".search-toggle");
    var form = header && header.querySelector(".header-search");
    if (!toggle || !form) return;
    var input = form.querySelector("input[type=search]");

    function open(show, focusBack) {
      header.classList.toggle("search-open", show);
      toggle.setAttribute("aria-expanded", String(show));
      if (show) input.focus();
      else if (focusBack) toggle.focus();
    }

    toggle.addEventListener("click", function () {
      open(!header.classList.contains("search-open"), false);
    });
    form.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && header.classList.contains("search-open")) {
        event.preventDefault();
        open(false, true);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
