/* The alignment map: zoom and pan (viewBox), and opening what aligns to a box.
   The server lays everything out (alignment/map_layout.py); this file only moves the view,
   fetches a box's band of children and stacks the bands below the map, each joined to its
   box by a dashed edge through the gutter beside it. Without it, each box's number is a
   link to a map page of its own. */
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var BAND_GAP = 64;
  var MIN_SCALE = 0.08;
  var MAX_SCALE = 2.5;
  var READABLE = 0.85; // the first view never starts smaller than this (labels stay legible)

  function init(frame) {
    var svg = frame.querySelector("svg.map");
    if (!svg) return;
    var content = svg.querySelector(".map-content");
    var bandsLayer = svg.querySelector(".map-bands");
    var stems = svg.querySelector(".map-stems");
    var status = document.getElementById("map-status");
    var tools = document.querySelector("[data-map-tools]");
    var nodeW = Number(svg.getAttribute("data-node-w")) || 232;
    var gapX = Number(svg.getAttribute("data-gap-x")) || 28;
    var nodeH = Number(svg.getAttribute("data-node-h")) || 92;
    var base = svg.viewBox.baseVal;
    var mainBottom = base.y + base.height;
    var view = { x: base.x, y: base.y, w: base.width, h: base.height };
    var open = []; // opened bands, in order: {id, band, toggle, node, x, y}

    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");

    function size() {
      var r = svg.getBoundingClientRect();
      return { w: r.width || 1, h: r.height || 1, left: r.left, top: r.top };
    }
    function apply() {
      var s = size();
      view.h = view.w * (s.h / s.w);
      svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" "));
    }
    function scale() {
      return size().w / view.w;
    }
    function toSvg(clientX, clientY) {
      var s = size();
      return {
        x: view.x + ((clientX - s.left) * view.w) / s.w,
        y: view.y + ((clientY - s.top) * view.h) / s.h,
      };
    }
    function bbox() {
      var b = content.getBBox();
      return { x: b.x - 16, y: b.y - 16, w: b.width + 32, h: b.height + 32 };
    }
    function fit(readable) {
      var s = size();
      var b = bbox();
      var w = Math.max(b.w, (b.h * s.w) / s.h);
      if (readable && s.w / w > 1) {
        w = s.w; // a small map at its natural size, not blown up
        view.x = b.x - (w - b.w) / 2;
        view.y = b.y;
      } else if (readable && s.w / w < READABLE) {
        w = s.w / READABLE; // start at the top left, legible; "Fit" shows it all
        view.x = b.x;
        view.y = b.y;
      } else {
        view.x = b.x - (w - b.w) / 2;
        view.y = b.y;
      }
      view.w = w;
      apply();
    }
    function zoomAt(factor, cx, cy) {
      var next = Math.min(Math.max(scale() * factor, MIN_SCALE), MAX_SCALE);
      factor = next / scale();
      view.x = cx - (cx - view.x) / factor;
      view.y = cy - (cy - view.y) / factor;
      view.w = view.w / factor;
      apply();
    }
    function zoomCentre(factor) {
      zoomAt(factor, view.x + view.w / 2, view.y + view.h / 2);
    }
    function panBy(dx, dy) {
      view.x += dx;
      view.y += dy;
      apply();
    }
    function say(text) {
      if (status) status.textContent = text;
    }

    // --- bands ------------------------------------------------------------------------
    function offsetOf(node) {
      var band = node.closest(".map-band");
      if (!band) return { x: 0, y: 0 };
      for (var i = 0; i < open.length; i++) {
        if (open[i].band === band) return { x: open[i].x, y: open[i].y };
      }
      return { x: 0, y: 0 };
    }
    function straightDown(x, top, bottom) {
      // Whether a vertical edge at x from top to bottom would pass behind no box.
      var nodes = svg.querySelectorAll(".map-node");
      for (var i = 0; i < nodes.length; i++) {
        var off = offsetOf(nodes[i]);
        var cx = Number(nodes[i].getAttribute("data-cx")) + off.x;
        var b = Number(nodes[i].getAttribute("data-bottom")) + off.y;
        if (Math.abs(cx - x) < nodeW / 2 + 4 && b > top && b - nodeH < bottom) return false;
      }
      return true;
    }
    function stack() {
      var bottom = mainBottom;
      stems.textContent = "";
      open.forEach(function (entry) {
        var off = offsetOf(entry.node);
        var px = Number(entry.node.getAttribute("data-cx")) + off.x;
        var pb = Number(entry.node.getAttribute("data-bottom")) + off.y;
        entry.x = px;
        entry.y = bottom + BAND_GAP;
        entry.band.setAttribute("transform", "translate(" + entry.x + " " + entry.y + ")");
        bottom = entry.y + Number(entry.band.getAttribute("data-height"));
        var gutter = px + nodeW / 2 + gapX / 2;
        var stem = document.createElementNS(SVGNS, "path");
        stem.setAttribute("class", "map-stem");
        stem.setAttribute(
          "d",
          straightDown(px, pb + 12, entry.y)
            ? "M" + px + " " + (pb + 12) + "V" + entry.y
            : "M" + (px + 26) + " " + (pb + 12) + "H" + gutter + "V" + (entry.y - 18) + "H" + px + "V" + entry.y
        );
        stems.appendChild(stem);
      });
    }
    function setToggle(toggle, expanded) {
      toggle.setAttribute("aria-expanded", expanded ? "true" : "false");
      var text = toggle.querySelector("text");
      if (text) text.textContent = text.textContent.replace(/^[▾▴]/, expanded ? "▴" : "▾");
      var label = toggle.getAttribute("aria-label") || "";
      toggle.setAttribute("aria-label", label.replace(/^(Show|Hide)/, expanded ? "Hide" : "Show"));
    }
    function close(id) {
      var gone = [];
      open = open.filter(function (entry) {
        var inside = gone.some(function (band) {
          return band.contains(entry.node);
        });
        if (entry.id === id || inside) {
          gone.push(entry.band);
          entry.band.remove();
          setToggle(entry.toggle, false);
          return false;
        }
        return true;
      });
      stack();
    }
    function show(entry) {
      // Bring the new band into view, at a zoom where its labels can be read.
      var s = size();
      if (s.w / view.w < READABLE) view.w = s.w / READABLE;
      var b = entry.band.getBBox();
      var width = Number(entry.band.getAttribute("data-width"));
      view.x = width < view.w ? entry.x - view.w / 2 : entry.x + b.x - 16;
      view.y = entry.y - BAND_GAP - 24;
      apply();
    }
    function openBand(toggle, byKeyboard) {
      var id = toggle.getAttribute("data-parent");
      if (open.some(function (e) { return e.id === id; })) {
        close(id);
        say("Closed.");
        return;
      }
      var url = toggle.getAttribute("href");
      toggle.classList.add("is-loading");
      fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (markup) {
          var holder = document.createElementNS(SVGNS, "g");
          holder.innerHTML = markup;
          var band = holder.querySelector(".map-band");
          if (!band) throw new Error("no band");
          bandsLayer.appendChild(band);
          var entry = { id: id, band: band, toggle: toggle, node: toggle.closest(".map-node"), x: 0, y: 0 };
          open.push(entry);
          setToggle(toggle, true);
          stack();
          show(entry);
          var count = band.querySelectorAll(".map-node").length;
          say(count + " aligned objective" + (count === 1 ? "" : "s") + " shown below the map.");
          if (byKeyboard) {
            var first = band.querySelector("a");
            if (first) first.focus();
          }
        })
        .catch(function () {
          say("Could not load what aligns to it. Try again, or use the list view.");
        })
        .finally(function () {
          toggle.classList.remove("is-loading");
        });
    }

    // --- pointer: drag to pan, wheel to zoom ------------------------------------------------
    var drag = null;
    var suppressClick = false;
    var touches = {}; // two fingers pinch to zoom
    var pinch = null;
    function spread() {
      var ids = Object.keys(touches);
      if (ids.length !== 2) return null;
      var a = touches[ids[0]];
      var b = touches[ids[1]];
      return { d: Math.hypot(a.x - b.x, a.y - b.y) || 1, x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
    }
    svg.addEventListener("pointerdown", function (e) {
      if (e.pointerType === "touch") {
        touches[e.pointerId] = { x: e.clientX, y: e.clientY };
        if (Object.keys(touches).length === 2) {
          pinch = spread();
          drag = null;
          suppressClick = true;
          return;
        }
      }
      if (e.button !== 0) return;
      suppressClick = false; // a new gesture: a pinch's swallowed click no longer pending
      drag = { id: e.pointerId, x: e.clientX, y: e.clientY, vx: view.x, vy: view.y, moved: false };
    });
    svg.addEventListener("pointermove", function (e) {
      if (touches[e.pointerId]) touches[e.pointerId] = { x: e.clientX, y: e.clientY };
      if (pinch) {
        var now = spread();
        if (!now) return;
        var p = toSvg(now.x, now.y);
        zoomAt(now.d / pinch.d, p.x, p.y);
        pinch = now;
        return;
      }
      if (!drag || e.pointerId !== drag.id) return;
      var dx = e.clientX - drag.x;
      var dy = e.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 5) return;
      if (!drag.moved) {
        drag.moved = true;
        svg.setPointerCapture(e.pointerId);
        frame.classList.add("is-panning");
      }
      var s = size();
      view.x = drag.vx - (dx * view.w) / s.w;
      view.y = drag.vy - (dy * view.h) / s.h;
      apply();
    });
    function endDrag(e) {
      delete touches[e.pointerId];
      if (pinch) {
        pinch = null;
        return;
      }
      if (!drag || e.pointerId !== drag.id) return;
      suppressClick = drag.moved;
      drag = null;
      frame.classList.remove("is-panning");
    }
    svg.addEventListener("pointerup", endDrag);
    svg.addEventListener("pointercancel", endDrag);
    svg.addEventListener(
      "click",
      function (e) {
        if (suppressClick) {
          suppressClick = false;
          e.preventDefault();
          e.stopPropagation();
          return;
        }
        var toggle = e.target.closest(".map-toggle");
        if (toggle) {
          e.preventDefault();
          openBand(toggle, e.detail === 0);
        }
      },
      true
    );
    svg.addEventListener(
      "wheel",
      function (e) {
        e.preventDefault();
        var p = toSvg(e.clientX, e.clientY);
        zoomAt(Math.exp(-e.deltaY * 0.0015), p.x, p.y);
      },
      { passive: false }
    );

    // --- keyboard ---------------------------------------------------------------------------
    frame.addEventListener("keydown", function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      var step = view.w * 0.15;
      var handled = true;
      if (e.key === "ArrowLeft") panBy(-step, 0);
      else if (e.key === "ArrowRight") panBy(step, 0);
      else if (e.key === "ArrowUp") panBy(0, -step);
      else if (e.key === "ArrowDown") panBy(0, step);
      else if (e.key === "+" || e.key === "=") zoomCentre(1.25);
      else if (e.key === "-" || e.key === "_") zoomCentre(0.8);
      else if (e.key === "0") fit(false);
      else if (e.key === " " && e.target.closest(".map-toggle")) openBand(e.target.closest(".map-toggle"), true);
      else handled = false;
      if (handled) e.preventDefault();
    });
    // A box reached with Tab comes into view.
    svg.addEventListener("focusin", function (e) {
      var target = e.target.closest(".map-node, .map-more");
      if (!target) return;
      var r = target.getBoundingClientRect();
      var s = size();
      if (r.left >= s.left && r.right <= s.left + s.w && r.top >= s.top && r.bottom <= s.top + s.h) return;
      var c = toSvg(r.left + r.width / 2, r.top + r.height / 2);
      view.x = c.x - view.w / 2;
      view.y = c.y - view.h / 2;
      apply();
    });

    if (tools) {
      tools.hidden = false;
      tools.addEventListener("click", function (e) {
        var button = e.target.closest("[data-map-zoom]");
        if (!button) return;
        var how = button.getAttribute("data-map-zoom");
        if (how === "in") zoomCentre(1.25);
        else if (how === "out") zoomCentre(0.8);
        else fit(false);
      });
    }
    window.addEventListener("resize", apply);
    fit(true);
    frame.mapView = view; // read by the browser tests
  }

  function start() {
    document.querySelectorAll("[data-map]").forEach(init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
