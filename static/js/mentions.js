// The @ people picker of comment boxes (templates/conversations/_comment_box.html): typing
// "@" and letters asks conversations:people (htmx) for matching people and lists them under
// the box, an ARIA combobox: ArrowDown/ArrowUp move, Enter or Tab (or a click) inserts
// "@Full Name " (the form conversations.services.mentioned_people reads), Escape closes.
// Without this file the box is a plain textarea where "@Full Name" is typed by hand.
(function () {
  "use strict";

  // "@" at the start or after a space or punctuation, then up to two words of a name,
  // right before the caret.
  var TYPED = /(^|[^\w@])@([\w.'’-]+(?: [\w.'’-]*)?)$/;
  var DELAY = 150;
  var timer = null;

  function boxOf(listbox) {
    return document.querySelector('textarea[aria-controls="' + listbox.id + '"]');
  }
  function listOf(box) {
    return document.getElementById(box.getAttribute("aria-controls"));
  }
  function statusOf(box) {
    return box.parentNode.querySelector(".mention-status");
  }
  function options(listbox) {
    return Array.prototype.slice.call(
      listbox.querySelectorAll('[role=option]:not([aria-disabled="true"])')
    );
  }

  // The "@..." being typed: where it starts and what follows the "@", or null.
  function typed(box) {
    if (box.selectionStart !== box.selectionEnd) return null;
    var before = box.value.slice(0, box.selectionStart);
    var match = TYPED.exec(before);
    if (!match) return null;
    return { start: match.index + match[1].length, query: match[2] };
  }

  function setup(box) {
    if (box.dataset.mentionReady) return;
    box.dataset.mentionReady = "1";
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-haspopup", "listbox");
  }

  function close(box) {
    var listbox = listOf(box);
    if (!listbox) return;
    listbox.hidden = true;
    listbox.innerHTML = "";
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  }

  function select(box, option) {
    var listbox = listOf(box);
    options(listbox).forEach(function (each) {
      each.setAttribute("aria-selected", each === option ? "true" : "false");
    });
    if (option) {
      box.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      box.removeAttribute("aria-activedescendant");
    }
  }

  function selected(box) {
    var id = box.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }

  function insert(box, option) {
    var at = typed(box);
    if (!at || !option) return;
    var mention = "@" + option.dataset.mention + " ";
    var after = box.value.slice(box.selectionStart);
    box.value = box.value.slice(0, at.start) + mention + after;
    var caret = at.start + mention.length;
    box.setSelectionRange(caret, caret);
    close(box);
    var status = statusOf(box);
    if (status) status.textContent = option.dataset.mention + " mentioned.";
    box.focus();
  }

  function ask(box) {
    var at = typed(box);
    if (!at || !window.htmx) {
      close(box);
      return;
    }
    var listbox = listOf(box);
    var url = box.dataset.mentionUrl + "?q=" + encodeURIComponent(at.query);
    htmx.ajax("GET", url, { target: "#" + listbox.id, swap: "innerHTML" });
  }

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("textarea[data-mention-url]")) return;
    setup(box);
    clearTimeout(timer);
    if (!typed(box)) {
      close(box);
      return;
    }
    timer = setTimeout(function () { ask(box); }, DELAY);
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-mention-url]")) {
      setup(event.target);
    }
  });

  // The options arrived: show them, the first one chosen, and say how many there are.
  document.addEventListener("htmx:afterSwap", function (event) {
    var listbox = event.detail.target;
    if (!listbox || !listbox.matches || !listbox.matches(".mention-list")) return;
    var box = boxOf(listbox);
    if (!box || !typed(box)) {
      if (box) close(box);
      return;
    }
    var found = options(listbox);
    listbox.hidden = listbox.children.length === 0;
    box.setAttribute("aria-expanded", listbox.hidden ? "false" : "true");
    select(box, found[0] || null);
    var status = statusOf(box);
    if (status) {
      status.textContent = found.length
        ? found.length + (found.length === 1 ? " person" : " people") + " found: arrow keys to choose, Enter to mention."
        : "Nobody found.";
    }
  });

  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("textarea[data-mention-url]")) return;
    if (box.getAttribute("aria-expanded") !== "true") return;
    var found = options(listOf(box));
    var at = found.indexOf(selected(box));
    if (event.key === "ArrowDown" && found.length) {
      event.preventDefault();
      select(box, found[(at + 1) % found.length]);
    } else if (event.key === "ArrowUp" && found.length) {
      event.preventDefault();
      select(box, found[(at - 1 + found.length) % found.length]);
    } else if ((event.key === "Enter" || event.key === "Tab") && at >= 0) {
      event.preventDefault();
      insert(box, found[at]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close(box);
    }
  });

  // A click on an option: keep the focus in the box (mousedown), then insert.
  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest(".mention-list [role=option]");
    if (option) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest(".mention-list [role=option]");
    if (!option || option.getAttribute("aria-disabled") === "true") return;
    var box = boxOf(option.closest(".mention-list"));
    if (box) insert(box, option);
  });

  document.addEventListener("focusout", function (event) {
    var box = event.target;
    if (box.matches && box.matches("textarea[data-mention-url]")) close(box);
  });
})();
