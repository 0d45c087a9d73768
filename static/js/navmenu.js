// The phone menu (base.html's details.navmenu) opens and closes without JavaScript; this
// adds what people expect of a menu: Escape closes it (back on its button), so does a tap
// or click anywhere outside it.
(function () {
  "use strict";
  function openMenu() {
    return document.querySelector("details.navmenu[open]");
  }
  document.addEventListener("keydown", function (event) {
    var menu = openMenu();
    if (event.key !== "Escape" || !menu) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });
  document.addEventListener("click", function (event) {
    var menu = openMenu();
    if (menu && !menu.contains(event.target)) menu.open = false;
  });
})();
