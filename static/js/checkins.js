// Check-ins: what the value typed would make the KR's progress, and the page's live regions
// for the server's out-of-band answer (checkins/effects.py).
(function () {
  "use strict";

  // objectives/progress.py's kr_progress: clamp((value - start) / (target - start), 0, 1);
  // a milestone is 0 or 1.
  function progress(kind, start, target, value) {
    if (kind === "milestone") return value >= 1 ? 1 : 0;
    if (target === start) return value === target ? 1 : 0;
    return Math.max(0, Math.min(1, (value - start) / (target - start)));
  }

  function typedNumber(text) {
    var trimmed = text.trim();
    if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(trimmed)) return null;
    return Number(trimmed);
  }

  function updatePreview(field) {
    var form = field.form;
    var preview = form && form.querySelector(".checkin-preview");
    if (!preview) return;
    if (!preview.dataset.stored) preview.dataset.stored = preview.textContent;
    var value = typedNumber(field.value);
    if (value === null) {
      preview.textContent = preview.dataset.stored;
      return;
    }
    var data = preview.dataset;
    var share = progress(data.kind, Number(data.start), Number(data.target), value);
    // Round half up like as_percent, after dropping float noise (0.425 * 100 = 42.49999...).
    var percent = Math.round(Math.round(share * 1e6) / 1e4);
    preview.textContent = "Would be " + percent + "% (now " + data.percent + "%)";
  }

  function onEdit(event) {
    var field = event.target;
    if (field.name === "value" && field.form && field.form.classList.contains("checkin-form")) {
      updatePreview(field);
    }
  }
  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);

  // Tell the server which regions this page shows, so it re-sends those a check-in (or its
  // deletion) changed: forms marked data-live-answer="<KR id>". Of the key results' regions
  // only that KR's are named (a long list keeps the header short); every objective's are.
  document.addEventListener("htmx:configRequest", function (event) {
    var source = event.detail.elt;
    var kr = source.getAttribute && source.getAttribute("data-live-answer");
    if (!kr) return;
    var ownRegion = new RegExp("^(kr-history|kr|conf|checkin)-" + kr + "(-|$)");
    var otherKr = /^(kr-history|kr|conf|checkin)-/;
    var ids = [];
    document.querySelectorAll("[data-live][id]").forEach(function (region) {
      if (ownRegion.test(region.id) || !otherKr.test(region.id)) ids.push(region.id);
    });
    event.detail.headers["X-Live-Regions"] = ids.join(" ");
  });
})();
