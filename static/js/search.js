// The navigation's search box: Ctrl/Cmd-K focuses it; arrow keys move between the results
// htmx lists under it; Escape or a click elsewhere closes them. Without this file the box is
// still a plain search form.
document.addEventListener("DOMContentLoaded", function () {
  var input = document.getElementById("nav-search-q");
  var results = document.getElementById("nav-search-results");
  if (!input || !results) return;
  var form = input.form;

  function links() {
    return Array.prototype.slice.call(results.querySelectorAll("a"));
  }
  function open() {
    results.hidden = results.innerHTML.trim() === "";
  }
  function close() {
    results.hidden = true;
  }
  close();

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "k" || event.key === "K")) {
      event.preventDefault();
      input.focus();
      input.select();
      open();
    }
  });
  input.addEventListener("focus", open);
  results.addEventListener("htmx:afterSwap", open);
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && links().length) {
      event.preventDefault();
      open();
      links()[0].focus();
    } else if (event.key === "Escape") {
      close();
    }
  });
  results.addEventListener("keydown", function (event) {
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && at >= 0) {
      event.preventDefault();
      all[Math.min(at + 1, all.length - 1)].focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      if (at === 0) input.focus();
      else all[at - 1].focus();
    } else if (event.key === "Escape") {
      input.focus(); // focusing opens the list: close it afterwards
      close();
    }
  });
  document.addEventListener("click", function (event) {
    if (!form.contains(event.target)) close();
  });
  form.addEventListener("focusout", function (event) {
    if (event.relatedTarget && !form.contains(event.relatedTarget)) close();
  });
});
