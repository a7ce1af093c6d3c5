(function () {
  "use strict";
  var EDITABLE = /^(INPUT|TEXTAREA|SELECT)$/;
  var ACTIVATES = /^(BUTTON|A|SUMMARY|INPUT|TEXTAREA|SELECT)$/;

  var SVGNS = "http://www.w3.org/2000/svg";

  function f2(v) { // adviz.renderers.svg: two decimals, no negative zero
    var text = v.toFixed(2);
    return text === "-0.00" ? "0.00" : text;
  }

  function make(tag, attrs, parent) {
    var e = document.createElementNS(SVGNS, tag);
    for (var i = 0; i < attrs.length; i += 2) { e.setAttribute(attrs[i], attrs[i + 1]); }
    parent.appendChild(e);
    return e;
  }

  // The base SVG (the first stage, painted whole) and what each stage changes on it.
  // Every element keeps the list of stages that change it (its history), so any stage
  // is reached from the shown one by visiting only the elements changed in between,
  // forward or backward, each set to its last change at or before the target stage.
  function Scene(svg, data) {
    var self = this, scene = data.scene;
    this.scene = scene;
    this.styles = scene.styles;
    this.lines = data.lines;
    this.states = data.states;
    this.through = !!data.hover; // texts let the pointer through to the shape's hover text
    var caption = svg.querySelector("g.caption");
    if (caption) { caption.parentNode.removeChild(caption); } // shown as text by the page
    var cut = scene.crop, h = scene.height - cut;
    if (cut > 0 && h > 0) {
      svg.setAttribute("viewBox", "0.00 " + f2(cut) + " " + f2(scene.width) + " " + f2(h));
      svg.setAttribute("height", f2(h) + "pt");
    }
    var byTitle = {};
    svg.querySelectorAll("g.node, g.edge").forEach(function (g) {
      var t = g.querySelector("title");
      if (t) { byTitle[g.getAttribute("class") + ":" + t.textContent] = g; }
    });
    this.items = [];
    scene.nodes.forEach(function (n) { self.items.push(byTitle["node:" + n[0]]); });
    this.edgeStart = this.items.length;
    scene.edges.forEach(function (e) { self.items.push(byTitle["edge:" + e[0] + "->" + e[1]]); });
    this.saved = [];
    this.history = this.items.map(function () { return []; });
    this.stages = [];
    this.at = 0;
  }

  Scene.prototype.addStage = function (change) { // change: [node changes, edge changes]
    var g = this.stages.length, history = this.history, start = this.edgeStart;
    change[0].forEach(function (c) { history[c[0]].push(g, c); });
    change[1].forEach(function (c) { history[start + c[0]].push(g, c); });
    this.stages.push(change);
  };

  Scene.prototype.go = function (target) {
    var lo = Math.min(this.at, target), hi = Math.max(this.at, target), touched = {}, s;
    var start = this.edgeStart;
    for (s = lo + 1; s <= hi; s++) {
      this.stages[s][0].forEach(function (c) { touched[c[0]] = true; });
      this.stages[s][1].forEach(function (c) { touched[start + c[0]] = true; });
    }
    var self = this;
    Object.keys(touched).forEach(function (key) {
      var e = +key, h = self.history[e], a = 0, b = h.length / 2;
      while (a < b) { var m = (a + b) >> 1; if (h[2 * m] <= target) { a = m + 1; } else { b = m; } }
      self.set(e, a ? h[2 * a - 1] : null);
    });
    this.at = target;
  };

  Scene.prototype.set = function (e, change) { // null: back to the base
    var g = this.items[e];
    if (!g) { return; }
    var saved = this.saved[e];
    if (!saved) {
      saved = this.saved[e] = { state: g.getAttribute("data-state"), kids: Array.prototype.slice.call(g.childNodes) };
    }
    while (g.firstChild) { g.removeChild(g.firstChild); }
    if (change === null) {
      g.setAttribute("data-state", saved.state);
      saved.kids.forEach(function (k) { g.appendChild(k); });
      if (this.on && !this.on[e]) { this.unfocusBase(g, e); }
      return;
    }
    var state = this.states[change[1]];
    if (this.on && !this.on[e]) { state = "unfocused"; } // off the focused paths
    g.setAttribute("data-state", state);
    var title = saved.kids.filter(function (k) { return k.nodeName === "title"; })[0];
    if (title) { g.appendChild(title.cloneNode(true)); }
    if (e < this.edgeStart) { this.node(g, this.scene.nodes[e], state, change.slice(2), saved); }
    else { this.edge(g, this.scene.edges[e - this.edgeStart], state, change[2] === 1, change.slice(3), saved); }
  };

  Scene.prototype.node = function (g, node, state, refs, saved) {
    var style = this.styles.node[node[1]][state];
    var base = saved.kids.filter(function (k) { return k.nodeName === "rect"; })[0];
    var rect = base.cloneNode(false);
    var hover = base.querySelector("title"); // the full values shown on hovering it
    if (hover) { rect.appendChild(hover.cloneNode(true)); }
    rect.setAttribute("fill", style.fill);
    rect.setAttribute("stroke", style.stroke);
    rect.setAttribute("stroke-width", f2(style.width));
    if (style.dash && style.dash.length) { rect.setAttribute("stroke-dasharray", style.dash.join(",")); }
    else { rect.removeAttribute("stroke-dasharray"); }
    g.appendChild(rect);
    this.text(g, refs, node[2], node[3], style.text, null, null);
  };

  Scene.prototype.edge = function (g, edge, state, toward, refs, saved) {
    var style = this.styles.edge[state], colour = style.colour;
    var alpha = style.opacity === 1 ? [] : ["stroke-opacity", String(style.opacity), "fill-opacity", String(style.opacity)];
    var d = toward ? edge[4] : edge[2], head = toward ? edge[5] : edge[3];
    var path = make("path", ["fill", "none", "stroke", colour, "stroke-width", f2(style.width)].concat(alpha, ["d", d]), g);
    var base = saved.kids.filter(function (k) { return k.nodeName === "path"; })[0];
    var hover = base ? base.querySelector("title") : null;
    if (hover) { path.appendChild(hover.cloneNode(true)); }
    if (head !== null) {
      make("polygon", ["fill", colour, "stroke", colour, "stroke-width", "1"].concat(alpha, ["points", head]), g);
    }
    if (refs.length && edge[6] !== null) {
      this.text(g, refs, edge[6], edge[7], style.text, style.bold, edge[8]);
    }
  };

  // Focus: the elements on a path from a node (or from an edge: a weight of the neuron
  // view, start = node count + its number) to an output, in the drawn graph (boxes
  // included), as one flag per item (nodes, then edges): paths.js, shared with the
  // demonstration page.
  Scene.prototype.paths = function (start) {
    return advizFocusPaths(this.scene.nodes, this.scene.edges, start);
  };

  Scene.prototype.latest = function (e) { // the last change of an item at or before the shown stage
    var h = this.history[e], a = 0, b = h.length / 2;
    while (a < b) { var m = (a + b) >> 1; if (h[2 * m] <= this.at) { a = m + 1; } else { b = m; } }
    return a ? h[2 * a - 1] : null;
  };

  // An element as the base SVG drew it, shown off the focused paths: the same shapes and
  // lines in the style table's "unfocused" colours.
  Scene.prototype.unfocusBase = function (g, e) {
    var isNode = e < this.edgeStart;
    var style = isNode ? this.styles.node[this.scene.nodes[e][1]].unfocused : this.styles.edge.unfocused;
    var saved = this.saved[e];
    while (g.firstChild) { g.removeChild(g.firstChild); }
    g.setAttribute("data-state", "unfocused");
    saved.kids.forEach(function (k) {
      var c = k.cloneNode(true), name = c.nodeName;
      if (name === "rect") {
        c.setAttribute("fill", style.fill); c.setAttribute("stroke", style.stroke);
        c.setAttribute("stroke-width", f2(style.width));
      } else if (name === "path" || name === "polygon") {
        c.setAttribute("stroke", style.colour);
        if (name === "path") { c.setAttribute("stroke-width", f2(style.width)); }
        else { c.setAttribute("fill", style.colour); }
        ["stroke-opacity", "fill-opacity"].forEach(function (a) { c.removeAttribute(a); });
      } else if (name === "text") {
        c.setAttribute("fill", style.text); c.removeAttribute("font-weight");
      }
      g.appendChild(c);
    });
  };

  Scene.prototype.refocus = function (on) {
    this.on = on;
    for (var e = 0; e < this.items.length; e++) { this.set(e, this.latest(e)); }
  };

  // Lines centred on (cx, cy) as adviz.scene.figure.line_centres and baseline place them;
  // left-aligned from `left` when given (edge labels beside a top-to-bottom edge).
  Scene.prototype.text = function (g, refs, cx, cy, override, boldRole, left) {
    var lines = this.lines, sizes = this.scene.sizes, styles = this.styles, font = styles.font;
    var anchor = left === null ? "middle" : "start", x = f2(left === null ? cx : left);
    var through = this.through;
    var total = 0;
    refs.forEach(function (r) { total += lines[r][1] * sizes.spacing; });
    var top = cy - total / 2;
    refs.forEach(function (r) {
      var line = lines[r], size = line[1], height = size * sizes.spacing;
      var centre = top + height / 2;
      top += height;
      var attrs = ["text-anchor", anchor, "x", x, "y", f2(centre + size * sizes.baseline),
        "font-family", font, "font-size", f2(size)];
      if (through) { attrs.push("pointer-events", "none"); }
      if (line[0] === boldRole) { attrs.push("font-weight", "bold"); }
      attrs.push("fill", override || styles.text[line[0]]);
      make("text", attrs, g).textContent = line[2];
    });
  };

  function init(root) {
    root.setAttribute("data-adviz-ready", "");
    var data = JSON.parse(root.querySelector("script.adviz-data").textContent);
    var q = function (sel) { return root.querySelector(sel); };
    var frame = q(".adviz-frame");
    var caption = q(".adviz-caption");
    var slider = q(".adviz-slider");
    var counter = q(".adviz-counter");
    var prev = q(".adviz-prev");
    var next = q(".adviz-next");
    var play = q(".adviz-play");
    var table = q(".adviz-table");
    var phaseButtons = root.querySelectorAll(".adviz-phases button");
    var rows = root.querySelectorAll("tr[data-phase]");
    var scene = new Scene(frame.querySelector("svg"), data);
    var captions = {}, shelf = q("template.adviz-captions"); // adviz.renderers.player.caption_markup
    if (shelf) {
      shelf.content.querySelectorAll("div[data-phase]").forEach(function (d) {
        var key = d.getAttribute("data-phase");
        (captions[key] = captions[key] || [])[parseInt(d.getAttribute("data-stage"), 10)] = d;
      });
    }
    var names = [];
    var phases = {};
    data.phases.forEach(function (p) {
      names.push(p.name); phases[p.name] = p; p.at = 0; p.offset = scene.stages.length;
      p.stages.forEach(function (change) { scene.addStage(change); });
    });
    var phase = data.start[0];
    var stage = data.start[1];
    var timer = null;

    function last(name) { return phases[name].captions.length - 1; }
    function isFirst() { return names.indexOf(phase) === 0 && stage === 0; }
    function isLast() { return names.indexOf(phase) === names.length - 1 && stage === last(phase); }

    function show(name, index) {
      var p = phases[name];
      index = Math.max(0, Math.min(index, last(name)));
      scene.go(p.offset + index);
      phase = name;
      stage = index;
      p.at = index;
      root.setAttribute("data-phase", name);
      root.setAttribute("data-stage", String(index));
      var math = captions[name] && captions[name][index]; // terms as spans, math as MathML
      if (math) {
        caption.textContent = "";
        math.childNodes.forEach(function (n) { caption.appendChild(n.cloneNode(true)); });
      } else { caption.textContent = p.captions[index]; }
      frame.setAttribute("aria-label", p.label + ", stage " + index + " of " + last(name));
      slider.max = String(last(name));
      slider.value = String(index);
      slider.setAttribute("aria-valuetext", p.label + ", stage " + index + " of " + last(name));
      counter.textContent = index + " / " + last(name);
      prev.disabled = isFirst();
      next.disabled = isLast();
      phaseButtons.forEach(function (b) {
        b.setAttribute("aria-pressed", String(b.getAttribute("data-phase") === name));
      });
      var current = null;
      rows.forEach(function (r) {
        var on = r.getAttribute("data-phase") === name && r.getAttribute("data-stage") === String(index);
        r.classList.toggle("adviz-current", on);
        if (on) { r.setAttribute("aria-current", "step"); current = current || r; }
        else { r.removeAttribute("aria-current"); }
      });
      if (current && table.scrollHeight > table.clientHeight) {
        var top = current.offsetTop - table.clientHeight / 3;
        table.scrollTop = Math.max(0, top);
      }
    }

    function step(delta) {
      var i = names.indexOf(phase);
      if (delta > 0 && stage === last(phase) && i < names.length - 1) { show(names[i + 1], 0); }
      else if (delta < 0 && stage === 0 && i > 0) { show(names[i - 1], last(names[i - 1])); }
      else { show(phase, stage + delta); }
    }

    function setPlaying(on) {
      if (timer !== null) { clearInterval(timer); timer = null; }
      if (on) {
        if (isLast()) { show(names[0], 0); }
        timer = setInterval(function () {
          step(1);
          if (isLast()) { setPlaying(false); }
        }, data.interval);
      }
      root.classList.toggle("adviz-playing", on);
      play.setAttribute("aria-label", on ? "Pause" : "Play");
      play.querySelector(".adviz-play-text").textContent = on ? "Pause" : "Play";
    }

    function manual(fn) {
      return function (ev) { setPlaying(false); fn(ev); };
    }

    prev.addEventListener("click", manual(function () { step(-1); }));
    next.addEventListener("click", manual(function () { step(1); }));
    play.addEventListener("click", function () { setPlaying(timer === null); });
    slider.addEventListener("input", manual(function () { show(phase, parseInt(slider.value, 10)); }));
    phaseButtons.forEach(function (b) {
      b.addEventListener("click", manual(function () {
        var name = b.getAttribute("data-phase");
        show(name, name === phase ? stage : phases[name].at);
      }));
    });
    rows.forEach(function (r) {
      r.addEventListener("click", manual(function () {
        var name = r.getAttribute("data-phase");
        if (phases[name]) { show(name, parseInt(r.getAttribute("data-stage"), 10)); }
      }));
    });

    var keyTarget = root.getAttribute("data-keys") === "document" ? document : root;
    keyTarget.addEventListener("keydown", function (ev) {
      if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.defaultPrevented) { return; }
      var tag = ev.target && ev.target.tagName ? ev.target.tagName : "";
      if (EDITABLE.test(tag) && ev.target !== slider) { return; }
      var key = ev.key;
      if ((key === "ArrowRight" || key === "ArrowLeft") && ev.target !== slider) {
        setPlaying(false);
        step(key === "ArrowRight" ? 1 : -1);
      } else if ((key === "Home" || key === "End") && ev.target !== slider) {
        setPlaying(false);
        show(phase, key === "Home" ? 0 : last(phase));
      } else if ((key === " " || key === "Spacebar") && !ACTIVATES.test(tag)) {
        setPlaying(timer === null);
      } else {
        return;
      }
      ev.preventDefault();
    });

    // Clicking a node (or a weight's edge in the neuron view) focuses on its paths to the
    // output; clicking it again or Escape clears the focus.
    var focusLine = q(".adviz-focus"), focused = -1, focusData = data.focus || null;
    function setFocus(k, line) {
      focused = k;
      scene.refocus(k < 0 ? null : scene.paths(k));
      var weight = k >= scene.edgeStart ? focusData.edges[k - scene.edgeStart] : null;
      root.setAttribute("data-focus", k < 0 ? "" : weight ? weight[0] : scene.scene.nodes[k][0]);
      if (focusLine) {
        var text = k < 0 || !focusData ? "" : line || (weight ? weight[1] : focusData.captions[k] || "");
        focusLine.textContent = text;
        focusLine.hidden = !text;
      }
    }
    // Zoom (pages written by adviz.writers.zoom): clicking a collapsed scope's box opens the
    // page zoomed into it; Escape with no focus returns to the whole graph.
    var zoomData = data.zoom || null;
    if (focusData || zoomData) {
      frame.addEventListener("click", function (ev) {
        var g = ev.target && ev.target.closest ? ev.target.closest("g.node, g.edge") : null;
        var k = g ? scene.items.indexOf(g) : -1;
        if (k < 0) { return; }
        if (k >= scene.edgeStart) { // a weight's edge (the neuron view) takes the focus
          if (focusData && focusData.edges && focusData.edges[k - scene.edgeStart]) { setFocus(k === focused ? -1 : k); }
          return;
        }
        if (zoomData && zoomData.links[String(k)]) { window.location.href = zoomData.links[String(k)]; return; }
        if (focusData) { setFocus(k === focused ? -1 : k); }
      });
      keyTarget.addEventListener("keydown", function (ev) {
        if (ev.key !== "Escape") { return; }
        if (focused >= 0) { setFocus(-1); ev.preventDefault(); }
        else if (zoomData && zoomData.back) { window.location.href = zoomData.back; ev.preventDefault(); }
      });
    }

    show(phase, stage);
    if (focusData && focusData.start >= 0) { setFocus(focusData.start, focusData.line); }
  }

  var players = document.querySelectorAll(".adviz-player:not([data-adviz-ready])");
  for (var k = 0; k < players.length; k++) { init(players[k]); }
})();
