// Sign-up: pre-select the company's time zone from the browser's, when the list has it.
// Without JavaScript (or an unknown zone) the form keeps its default, UTC.
document.addEventListener("DOMContentLoaded", function () {
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    return;
  }
  document.querySelectorAll("select[data-detect-time-zone]").forEach(function (select) {
    var known = Array.prototype.some.call(select.options, function (option) {
      return option.value === zone;
    });
    if (known) select.value = zone;
  });
});
