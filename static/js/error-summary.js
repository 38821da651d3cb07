// A form that comes back with errors: focus its error summary, so a screen reader reads it out
// and the next Tab reaches its links. Each link then takes focus to the field it names (for a
// group of radio buttons, the first of them), with the field's label and error in view.
// Without JavaScript the links still jump to the field.
(function () {
  "use strict";

  function focusSummary(summary) {
    var current = document.activeElement;
    // A "#main" left in the address by the skip link moves focus to <main> as the page loads;
    // the summary still comes first. Focus the user moved elsewhere stays where it is.
    if (!current || current === document.body || current.id === "main") {
      summary.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (!summary) { return; }
    focusSummary(summary);
    window.addEventListener("load", function () { focusSummary(summary); });
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      var field = target.matches("input, select, textarea")
        ? target
        : target.querySelector("input, select, textarea");
      if (!field) { return; }
      event.preventDefault();
      (field.closest("fieldset, .form-field, .check-field") || field).scrollIntoView();
      field.focus({preventScroll: true});
    });
  });
})();
