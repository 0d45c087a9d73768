// Shows a part of a form only while a control has one of the given values:
//   <fieldset data-show-when="cadence" data-show-value="weekly">
//   <div data-show-when="kind" data-show-value="increase decrease">
// A part marked data-show-disables also disables its controls while hidden, so a choice
// made before the control changed is not sent (the server would refuse it for the new one).
// Without this script every part shows, under a label or legend saying when it applies.
(function () {
  "use strict";
  if (window.alignedShowWhen) return; // loaded once per page, whatever includes it
  window.alignedShowWhen = true;

  function update(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (part) {
      var control = form.elements.namedItem(part.dataset.showWhen);
      if (!control) return;
      var shown = part.dataset.showValue.split(" ").indexOf(control.value) !== -1;
      part.hidden = !shown;
      if (part.hasAttribute("data-show-disables")) {
        part.querySelectorAll("input, select, textarea").forEach(function (field) {
          field.disabled = !shown;
        });
      }
    });
  }

  function init() {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-show-when]")) {
        form.classList.add("shows-when");
        update(form);
      }
    });
  }

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.querySelector("[data-show-when]")) update(form);
  });
  // After any swap, new forms (a key result form loaded into a card) and forms swapped
  // for themselves (redrawn with errors) start right.
  document.addEventListener("htmx:afterSettle", function () { init(); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
})();
