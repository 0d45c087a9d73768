// Shows a part of a form only while a control has a given value:
//   <fieldset data-show-when="cadence" data-show-value="weekly">
// Without this script every part shows, each under its own legend.
(function () {
  "use strict";

  function update(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (part) {
      var control = form.elements.namedItem(part.dataset.showWhen);
      if (!control) return;
      part.hidden = control.value !== part.dataset.showValue;
    });
  }

  function init(root) {
    root = root || document;
    var forms = Array.prototype.slice.call(root.querySelectorAll("form"));
    if (root.matches && root.matches("form")) forms.push(root);
    forms.forEach(function (form) {
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
  document.addEventListener("htmx:afterSwap", function (event) {
    init(event.target);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
})();
