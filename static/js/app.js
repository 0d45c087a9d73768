// Small glue htmx cannot do by itself: a loading state while requests run, and a visible
// message when a partial update fails, instead of failing silently.
document.addEventListener("DOMContentLoaded", function () {
  var root = document.documentElement;
  var box = document.getElementById("htmx-error");
  var running = 0;

  // The message stays until the next request starts (or a click), so nobody misses it.
  function show(text) {
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
  }
  function hide() {
    if (box) box.hidden = true;
  }
  function busy(delta) {
    running = Math.max(0, running + delta);
    root.classList.toggle("htmx-busy", running > 0);
  }

  document.body.addEventListener("htmx:beforeRequest", function () {
    hide();
    busy(1);
  });
  document.body.addEventListener("htmx:afterRequest", function () { busy(-1); });
  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : "";
    show("That did not work (" + status + "). Your input was kept; please try again.");
  });
  document.body.addEventListener("htmx:sendError", function () {
    show("The server could not be reached. Please check your connection and try again.");
  });
  document.body.addEventListener("htmx:timeout", function () {
    show("The server took too long to answer. Please try again.");
  });
  if (box) box.addEventListener("click", hide);
});
