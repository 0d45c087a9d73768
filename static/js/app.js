// Small glue htmx cannot do by itself: show a visible message when a partial update fails,
// instead of failing silently.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("htmx-error");
  function show(text) {
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
    window.setTimeout(function () { box.hidden = true; }, 8000);
  }
  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : "";
    show("That did not work (" + status + "). Your input was kept; please try again.");
  });
  document.body.addEventListener("htmx:sendError", function () {
    show("The server could not be reached. Please check your connection and try again.");
  });
});
