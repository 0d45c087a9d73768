// Action menus (templates/components/action_menu.html) and the account menu (base.html) open and close without JavaScript;
// this adds what people expect of a menu: Escape closes it (focus back on its button), a
// click outside closes it, and opening one closes any other.
(function () {
  "use strict";
  function openMenus() {
    return document.querySelectorAll("details.action-menu[open], details.account-menu[open]");
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    openMenus().forEach(function (menu) {
      var hadFocus = menu.contains(document.activeElement);
      menu.open = false;
      if (hadFocus) menu.querySelector("summary").focus();
    });
  });
  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });
  // "toggle" does not bubble: listen in the capture phase to see every menu's.
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.matches || !opened.matches("details.action-menu, details.account-menu") || !opened.open) return;
    openMenus().forEach(function (menu) {
      if (menu !== opened) menu.open = false;
    });
  }, true);
})();
