// The demonstration page's script. It is one function, `advizDemo.mount(root, data, kernel,
// bridge)`, that brings a page's markup to life from its data (the tape, text templates,
// geometry and style table) and its kernel (the JavaScript forms of the ops); the exported
// page calls it on load, the notebook widget with a bridge to its Python model.
var advizDemo = (function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var MINUS = "\u2212";
  var FOCUS_LIMIT = 1000; // adviz.core.pathsum.DEFAULT_LIMIT
  var MANY_INPUTS = 12; // more inputs than this: their list scrolls

  // ------------------------------------------------------------ numbers
  // Exact decimal expansion of a double, so that rounding matches Python's
  // correctly rounded, round-half-even formatting digit for digit.
  var VIEW = new DataView(new ArrayBuffer(8));

  function exact(x) { // x > 0 and finite: x = BigInt(int) * 10^-k
    VIEW.setFloat64(0, x);
    var hi = VIEW.getUint32(0), lo = VIEW.getUint32(4);
    var bexp = (hi >>> 20) & 0x7ff;
    var mant = BigInt(hi & 0xfffff) * BigInt(4294967296) + BigInt(lo);
    if (bexp === 0) { bexp = 1; } else { mant += BigInt(1) << BigInt(52); }
    var e2 = bexp - 1075;
    if (e2 >= 0) { return { digits: (mant << BigInt(e2)).toString(), k: 0 }; }
    return { digits: (mant * BigInt(5) ** BigInt(-e2)).toString(), k: -e2 };
  }

  function roundDigits(d, n) { // keep n >= 1 leading digits, half-even
    if (n >= d.length) { return { s: d + "0".repeat(n - d.length), carry: false }; }
    var kept = d.slice(0, n), rest = d.slice(n), up;
    if (rest[0] > "5") { up = true; }
    else if (rest[0] < "5") { up = false; }
    else { up = /[1-9]/.test(rest.slice(1)) || (+kept[n - 1]) % 2 === 1; }
    if (!up) { return { s: kept, carry: false }; }
    var a = kept.split(""), i = n - 1;
    while (i >= 0 && a[i] === "9") { a[i] = "0"; i--; }
    if (i < 0) { return { s: "1" + a.join(""), carry: true }; }
    a[i] = String(+a[i] + 1);
    return { s: a.join(""), carry: false };
  }

  function fixedAbs(x, dec) { // like Python f"{x:.{dec}f}" for x >= 0
    if (x === 0) { return dec ? "0." + "0".repeat(dec) : "0"; }
    var e = exact(x), d = e.digits, n = d.length - e.k + dec;
    if (n <= 0) { d = "0".repeat(1 - n) + d; n = 1; }
    var s = roundDigits(d, n).s;
    if (s.length <= dec) { s = "0".repeat(dec + 1 - s.length) + s; }
    var whole = s.slice(0, s.length - dec).replace(/^0+(?=\d)/, "");
    return dec ? whole + "." + s.slice(s.length - dec) : whole;
  }

  function strip(text) { return text.indexOf(".") < 0 ? text : text.replace(/0+$/, "").replace(/\.$/, ""); }

  function general5(x) { // like Python f"{x:.5g}" for x > 0
    var e = exact(x), r = roundDigits(e.digits, 5);
    var exp = e.digits.length - e.k - 1 + (r.carry ? 1 : 0);
    if (exp >= -4 && exp < 5) { return strip(fixedAbs(x, 4 - exp)); }
    var m = strip(r.s[0] + "." + r.s.slice(1, 5));
    var ee = String(Math.abs(exp));
    return m + "e" + (exp < 0 ? "-" : "+") + (ee.length < 2 ? "0" + ee : ee);
  }

  function formatNumber(v) { // adviz.formatting.format_number
    if (v !== v) { return "nan"; }
    if (v === Infinity) { return "inf"; }
    if (v === -Infinity) { return "-inf"; }
    var m = Math.abs(v);
    if (m === 0) { return "0"; }
    var text = (m < 1e-3 || m >= 1e6) ? general5(m) : strip(fixedAbs(m, 5));
    text = (v < 0 ? "-" : "") + text;
    return (text === "-0" || text === "0") ? "0" : text;
  }

  function f2(v) { // render_svg._f
    var text = (v < 0 ? "-" : "") + fixedAbs(Math.abs(v), 2);
    return text === "-0.00" ? "0.00" : text;
  }

  function pretty(v) { return formatNumber(v).replace(/-/g, MINUS); }

  function twoDigits(v) { // adviz.text.network.short: float(f"{v:.2g}")
    if (!isFinite(v) || v === 0) { return v; }
    var e = exact(Math.abs(v)), r = roundDigits(e.digits, 2);
    var exp = e.digits.length - e.k - 1 + (r.carry ? 1 : 0);
    return (v < 0 ? -1 : 1) * parseFloat(r.s[0] + "." + r.s[1] + "e" + exp);
  }

  // ------------------------------------------------------------ the tape
  function Model(data, kernel) {
    var self = this;
    this.data = data;
    this.kernel = kernel;
    this.nodes = data.nodes;
    this.edges = data.edges;
    this.out = data.output;
    this.parents = this.nodes.map(function (node) {
      var seen = [];
      node.slots.forEach(function (s) { if ("p" in s && seen.indexOf(s.p) < 0) { seen.push(s.p); } });
      return seen;
    });
    this.order = this.reverseOrder(data.order);
    this.leaves = [];
    this.nodes.forEach(function (node, i) { if (node.kind !== "op") { self.leaves.push(i); } });
    this.stageCount = {
      forward: 1 + this.nodes.length - this.leaves.length,
      reverse: 1 + (data.granularity === "edge"
        ? this.order.reduce(function (n, c) { return n + data.into[c].length; }, 0)
        : this.order.length)
    };
  }

  // Focus (adviz.scene.focus): the nodes and edges on a path from node `start` to the
  // output, as flags (nodes, then edges), and the paths' products of partials in the order
  // adviz.core.pathsum lists them (parents before later children: depth first, children in
  // evaluation order), at most `limit` of them (null: more).
  Model.prototype.focusFlags = function (start) {
    var nodes = this.nodes, edges = this.edges, data = this.data, n = nodes.length, k;
    if (!this.edgeChild) {
      var child = [];
      Object.keys(data.into).forEach(function (c) { data.into[c].forEach(function (e) { child[e] = +c; }); });
      this.edgeChild = child;
    }
    var down = [], up = [];
    for (k = 0; k < n; k++) { down.push(k === start); up.push(k === this.out); }
    for (k = start + 1; k < n; k++) {
      this.parents[k].forEach(function (p) { if (down[p]) { down[k] = true; } });
    }
    for (k = this.out; k >= 0; k--) {
      if (up[k]) { this.parents[k].forEach(function (p) { up[p] = true; }); }
    }
    var on = [];
    for (k = 0; k < n; k++) { on.push(k === start || (down[k] && up[k])); }
    var child2 = this.edgeChild;
    edges.forEach(function (e, j) { on.push(down[e.parent] && up[child2[j]]); });
    return on;
  };

  Model.prototype.pathProducts = function (run, start, limit) {
    var on = this.focusFlags(start), edges = this.edges, child = this.edgeChild, out = this.out;
    var n = this.nodes.length, children = [], k;
    for (k = 0; k < n; k++) { children.push([]); }
    edges.forEach(function (e, j) { if (on[n + j]) { children[e.parent].push(j); } });
    children.forEach(function (list) { list.sort(function (a, b) { return child[a] - child[b]; }); });
    var products = [], stack = [[start, 1]];
    while (stack.length) {
      var top = stack.pop(), node = top[0];
      if (node === out) {
        products.push(top[1]);
        if (products.length > limit) { return null; }
        continue;
      }
      for (k = children[node].length - 1; k >= 0; k--) {
        var j = children[node][k];
        stack.push([child[j], top[1] * run.partials[j]]);
      }
    }
    return products;
  };

  // adviz.stages.reverse_order: Kahn's algorithm with a FIFO queue, or tape order.
  Model.prototype.reverseOrder = function (order) {
    var nodes = this.nodes, out = this.out, result = [], i;
    if (order === "tape") {
      for (i = out; i >= 0; i--) { if (nodes[i].kind === "op") { result.push(i); } }
      return result;
    }
    if (nodes[out].kind !== "op") { return result; }
    var pending = nodes.map(function () { return 0; });
    this.parents.forEach(function (ps) { ps.forEach(function (p) { pending[p] += 1; }); });
    var queue = [out];
    while (queue.length) {
      var child = queue.shift();
      result.push(child);
      this.parents[child].forEach(function (p) {
        pending[p] -= 1;
        if (pending[p] === 0 && nodes[p].kind === "op") { queue.push(p); }
      });
    }
    return result;
  };

  Model.prototype.args = function (i, values) {
    return this.nodes[i].slots.map(function (s) { return "p" in s ? values[s.p] : s.c; });
  };

  Model.prototype.evaluate = function (point) { // forward values, plain floats
    var values = new Array(this.nodes.length), self = this;
    this.data.inputs.forEach(function (inp, k) { values[inp.node] = point[k]; });
    this.nodes.forEach(function (node, i) {
      if (node.kind === "const") { values[i] = node.value; }
      else if (node.kind === "op") {
        values[i] = +self.kernel.ops[node.op].f.apply(null, self.args(i, values));
      }
    });
    return values;
  };

  Model.prototype.partial = function (edge, values) {
    var node = this.nodes[edge.child], fns = this.kernel.ops[node.op].p;
    var args = this.args(edge.child, values), total = 0;
    edge.positions.forEach(function (k) { total += +fns[k].apply(null, args); });
    return total;
  };

  // Both passes at one point: values, partials, forward and reverse stages.
  Model.prototype.run = function (point) {
    var self = this, nodes = this.nodes, data = this.data;
    var values = this.evaluate(point);
    var partials = this.edges.map(function (e) { return self.partial(e, values); });
    var forward = [{ index: 0, node: null, nodes: this.leaves.slice() }];
    nodes.forEach(function (node, i) {
      if (node.kind !== "op") { return; }
      forward.push({ index: forward.length, node: i, nodes: [i] });
    });
    var reverse = [{ index: 0, node: this.out, contributions: [] }];
    var adjoints = {}, byEdge = {};
    adjoints[this.out] = 1;
    this.order.forEach(function (child) {
      var row = [];
      data.into[child].forEach(function (number) {
        var edge = self.edges[number];
        var upstream = adjoints[child], partial = partials[number];
        var delta = upstream * partial;
        var before = edge.parent in adjoints ? adjoints[edge.parent] : 0;
        var after = before + delta;
        adjoints[edge.parent] = after;
        var c = { parent: edge.parent, child: child, edge: number, upstream: upstream,
          partial: partial, delta: delta, before: before, after: after };
        byEdge[number] = c;
        row.push(c);
      });
      if (data.granularity === "node") {
        reverse.push({ index: reverse.length, node: child, contributions: row });
      } else {
        row.forEach(function (r) {
          reverse.push({ index: reverse.length, node: child, contributions: [r] });
        });
      }
    });
    var grad = data.inputs.map(function (inp) { return inp.node in adjoints ? adjoints[inp.node] : 0; });
    var run = { point: point.slice(), values: values, partials: partials, forward: forward,
      reverse: reverse, adjoints: adjoints, byEdge: byEdge, grad: grad, value: values[this.out] };
    var numbers = quantities(run, {});
    ["forward", "reverse"].forEach(function (phase) { // adviz.core.stages captions
      run[phase].forEach(function (s, k) { s.caption = fill(data.captions[phase][k], numbers, true); });
    });
    return run;
  };

  // The state after one stage (adviz.stages.state_after).
  Model.prototype.stateAfter = function (run, phase, index) {
    var values = {}, adjoints = {}, i, k;
    if (phase === "forward") {
      for (k = 0; k <= index; k++) {
        run.forward[k].nodes.forEach(function (n) { values[n] = run.values[n]; });
      }
    } else {
      for (i = 0; i < this.nodes.length; i++) { values[i] = run.values[i]; }
      adjoints[this.out] = 1;
      for (k = 1; k <= index; k++) {
        run.reverse[k].contributions.forEach(function (c) { adjoints[c.parent] = c.after; });
      }
    }
    return { values: values, adjoints: adjoints };
  };

  // ------------------------------------------------------------ text (adviz.renderers.templates)
  // Every text is a template made from adviz.text's tokens: a list of pieces, each a string,
  // a hole [quantity, index, parens] naming a number (of node or edge number index; index null:
  // of the element the text is on, from `own`) or an integer k, the page's k-th shared MathML
  // fragment (data.fragments: a name, adjoint, partial or formula written once). The page only
  // formats and fills in numbers.
  function quantities(run, here) {
    return function (quantity, index) {
      if (index === null) { return here[quantity]; }
      if (quantity === "value") { return run.values[index]; }
      if (quantity === "adjoint") { return index in run.adjoints ? run.adjoints[index] : 0; }
      if (quantity === "partial") { return run.partials[index]; }
      return run.byEdge[index][quantity]; // upstream, delta, before, after
    };
  }
  // A hole's number; a fourth element 1 rounds it to two significant digits (the neuron
  // view's crowded columns, adviz.renderers.demo_network).
  function holeNumber(piece, numbers) {
    var v = numbers(piece[0], piece[1]);
    return piece[3] ? twoDigits(v) : v;
  }
  function fill(template, numbers, plain, fragments) { // adviz.renderers.templates.fill
    var out = "";
    template.forEach(function (piece) {
      if (typeof piece === "string") { out += piece; return; }
      if (typeof piece === "number") { out += fragments[piece]; return; }
      var text = plain ? formatNumber(holeNumber(piece, numbers)) : pretty(holeNumber(piece, numbers));
      out += piece[2] && (text.charAt(0) === MINUS || text.charAt(0) === "-") ? "(" + text + ")" : text;
    });
    return out;
  }
  function fillMathWith(template, numbers, fragments) { // templates in HTML with MathML: numbers as <mn>
    var out = "";
    template.forEach(function (piece) {
      if (typeof piece === "string") { out += piece; return; }
      if (typeof piece === "number") { out += fragments[piece]; return; }
      var text = pretty(holeNumber(piece, numbers)), mn = "<mn>" + text + "</mn>";
      out += piece[2] && text.charAt(0) === MINUS ?
        '<mo stretchy="false">(</mo>' + mn + '<mo stretchy="false">)</mo>' : mn;
    });
    return out;
  }
  function own(values) { return function (quantity) { return values[quantity]; }; }
  function valueLine(texts, v) { return fill(texts.value, own({ value: v })); }
  function adjointLine(texts, v) { return fill(texts.adjoint, own({ adjoint: v })); }
  function accumulationLines(texts, c) {
    return texts.accumulation.map(function (t) { return fill(t, own(c)); });
  }
  function partialLabel(run, edge) { return fill(edge.partial, quantities(run, {})); }
  function contributionLabel(model, run, c) { return fill(model.edges[c.edge].contribution, quantities(run, {})); }

  function stageTitle(model, run, phase, index) { // adviz.text.labels.stage_title
    return fill(model.data.titles[phase][index], quantities(run, {}));
  }

  // ------------------------------------------------------------ frames (adviz.frame + render_svg)
  function frameContent(model, run, phase, index) {
    var S = model.data.sizes, nodes = model.nodes, edges = model.edges;
    var nameLine = function (i) { return { text: nodes[i].label, role: "name", size: S.name }; };
    var texts = model.data.texts;
    var valLine = function (i) { return { text: valueLine(texts, run.values[i]), role: "value", size: S.line }; };
    var partialLine = function (k) { return { text: partialLabel(run, edges[k]), role: "partial", size: S.edge }; };
    var nodeViews = [], edgeViews = [], st = model.stateAfter(run, phase, index), k;
    if (phase === "forward") {
      var current = run.forward[index].nodes;
      nodes.forEach(function (node, i) {
        if (i in st.values) {
          nodeViews.push({ state: current.indexOf(i) >= 0 ? "active" : "done", lines: [nameLine(i), valLine(i)] });
        } else {
          nodeViews.push({ state: "muted", lines: [nameLine(i)] });
        }
      });
      edges.forEach(function (edge, k) {
        if (!(edge.child in st.values)) { edgeViews.push({ state: "muted", lines: [], toward: false }); }
        else {
          edgeViews.push({ state: current.indexOf(edge.child) >= 0 ? "forward" : "done",
            lines: [partialLine(k)], toward: false });
        }
      });
      return { nodes: nodeViews, edges: edgeViews, state: st };
    }
    var stages = run.reverse, stage = stages[index];
    var receivedBefore = {}, passed = {}, lastContribution = {};
    stages.forEach(function (s) { s.contributions.forEach(function (c) { lastContribution[c.edge] = c; }); });
    for (k = 1; k < index; k++) {
      stages[k].contributions.forEach(function (c) { receivedBefore[c.parent] = true; passed[c.edge] = true; });
    }
    var currentC = {}, now = {};
    if (index) { stage.contributions.forEach(function (c) { currentC[c.parent] = c; now[c.edge] = true; }); }
    var active = (index === 0 || stage.contributions.length) ? stage.node : null;
    var unused = {}; // after the last stage, an input the output does not use shows g = 0
    if (index === stages.length - 1) {
      model.data.inputs.forEach(function (inp) { if (!(inp.node in st.adjoints)) { unused[inp.node] = true; } });
    }
    nodes.forEach(function (node, i) {
      var lines = [nameLine(i), valLine(i)], state;
      if (i in unused) {
        state = "done";
        lines.push({ text: adjointLine(texts, 0), role: "adjoint", size: S.line });
      } else if (i in currentC) {
        state = "receiving";
        var c = currentC[i];
        if (receivedBefore[i]) {
          accumulationLines(texts, c).forEach(function (t) {
            lines.push({ text: t, role: "adjoint", size: S.line });
          });
        } else {
          lines.push({ text: adjointLine(texts, c.after), role: "adjoint", size: S.line });
        }
      } else if (i in st.adjoints) {
        state = i === active ? "active" : "done";
        lines.push({ text: adjointLine(texts, st.adjoints[i]), role: "adjoint", size: S.line });
      } else {
        state = "muted";
      }
      nodeViews.push({ state: state, lines: lines });
    });
    edges.forEach(function (edge, k) {
      var contribution = lastContribution[k] ?
        { text: contributionLabel(model, run, lastContribution[k]), role: "contribution", size: S.edge } : null;
      if (now[k]) { edgeViews.push({ state: "gradient", lines: [partialLine(k), contribution], toward: true }); }
      else if (passed[k]) { edgeViews.push({ state: "passed", lines: [partialLine(k), contribution], toward: true }); }
      else { edgeViews.push({ state: "pending", lines: [partialLine(k)], toward: false }); }
    });
    return { nodes: nodeViews, edges: edgeViews, state: st };
  }

  function el(tag, attrs, parent) {
    var e = document.createElementNS(SVGNS, tag);
    for (var i = 0; i < attrs.length; i += 2) { e.setAttribute(attrs[i], attrs[i + 1]); }
    if (parent) { parent.appendChild(e); }
    return e;
  }

  // Paints frames on the base SVG (forward stage 0, painted once): every node and edge
  // restyled from the style table (adviz.scene.style), its text lines rebuilt.
  // The base SVG as a page shows it: no caption band (the page shows the caption as
  // text), cropped to the scene, and its node and edge groups by "class:title".
  function prepareFrame(svg, scene) {
    var caption = svg.querySelector("g.caption");
    if (caption) { caption.parentNode.removeChild(caption); }
    var h = scene.height - scene.crop;
    if (scene.crop > 0 && h > 0) {
      svg.setAttribute("viewBox", "0.00 " + f2(scene.crop) + " " + f2(scene.width) + " " + f2(h));
      svg.setAttribute("height", f2(h) + "pt");
    }
    var byTitle = {};
    svg.querySelectorAll("g.node, g.edge").forEach(function (g) {
      var t = g.querySelector("title");
      if (t) { byTitle[g.getAttribute("class") + ":" + t.textContent] = g; }
    });
    return byTitle;
  }

  function Painter(model, svg) {
    var self = this, data = model.data, scene = data.scene;
    this.model = model;
    this.styles = data.styles;
    this.nodeGroups = [];
    this.edgeGroups = [];
    var byTitle = prepareFrame(svg, scene);
    model.nodes.forEach(function (node) {
      var g = byTitle["node:" + node.id];
      self.nodeGroups.push({ g: g, rect: g.querySelector("rect") });
    });
    model.edges.forEach(function (edge) {
      var g = byTitle["edge:" + edge.key], path = g.querySelector("path"), head = g.querySelector("polygon");
      // The base frame (forward stage 0) draws every edge along its forward route.
      edge.fwd = [path ? path.getAttribute("d") : "", head ? head.getAttribute("points") : null];
      self.edgeGroups.push({ g: g });
    });
  }

  Painter.prototype.textBlock = function (g, lines, cx, cy, override, boldRole, left, avail) {
    var styles = this.styles, sp = this.model.data.sizes.spacing;
    var x = left === null ? cx : left; // the group sets the anchor, the root the font
    var total = 0;
    lines.forEach(function (line) { total += line.size * sp; });
    var top = cy - total / 2;
    lines.forEach(function (line) {
      var height = line.size * sp, centre = top + height / 2;
      top += height;
      var attrs = ["x", f2(x), "y", f2(centre + line.size * 0.35), "font-size", f2(line.size)];
      if (line.role === boldRole) { attrs.push("font-weight", "bold"); }
      attrs.push("fill", override || styles.text[line.role]);
      var t = el("text", attrs, g);
      t.textContent = line.text;
      t.__avail = avail;
    });
  };

  // Off the focused paths (this.on: flags, nodes then edges): the "unfocused" state.
  Painter.prototype.focused = function (content) {
    var on = this.on, n = this.model.nodes.length;
    if (!on) { return content; }
    return {
      nodes: content.nodes.map(function (v, i) { return on[i] ? v : Object.assign({}, v, { state: "unfocused" }); }),
      edges: content.edges.map(function (v, k) { return on[n + k] ? v : Object.assign({}, v, { state: "unfocused" }); })
    };
  };

  Painter.prototype.paint = function (content) {
    content = this.focused(content);
    var self = this, styles = this.styles, model = this.model;
    content.nodes.forEach(function (view, i) {
      var node = model.nodes[i], item = self.nodeGroups[i], g = item.g, rect = item.rect;
      var style = styles.node[node.show][view.state];
      g.setAttribute("data-state", view.state);
      rect.setAttribute("fill", style.fill);
      rect.setAttribute("stroke", style.stroke);
      rect.setAttribute("stroke-width", f2(style.width));
      if (style.dash && style.dash.length) { rect.setAttribute("stroke-dasharray", style.dash.join(",")); }
      else { rect.removeAttribute("stroke-dasharray"); }
      while (rect.nextSibling) { g.removeChild(rect.nextSibling); }
      var avail = parseFloat(rect.getAttribute("width")) - 2 * model.data.sizes.nodePad;
      self.textBlock(g, view.lines, node.cx, node.cy, style.text, null, null, avail);
    });
    content.edges.forEach(function (view, k) {
      var edge = model.edges[k], g = self.edgeGroups[k].g, style = styles.edge[view.state];
      g.setAttribute("data-state", view.state);
      var title = g.querySelector("title");
      while (title.nextSibling) { g.removeChild(title.nextSibling); }
      var geo = view.toward ? edge.rev : edge.fwd;
      var alpha = style.opacity === 1 ? [] : ["stroke-opacity", String(style.opacity), "fill-opacity", String(style.opacity)];
      el("path", ["fill", "none", "stroke", style.colour, "stroke-width", f2(style.width)].concat(alpha, ["d", geo[0] || ""]), g);
      if (geo[1]) {
        el("polygon", ["fill", style.colour, "stroke", style.colour, "stroke-width", "1"].concat(alpha, ["points", geo[1]]), g);
      }
      if (view.lines.length && edge.label) {
        self.textBlock(g, view.lines, edge.label[0], edge.label[1], style.text,
          style.bold, edge.left, edge.labelBox - 2 * model.data.sizes.labelPad);
      }
    });
    // Keep the stored layout: a text wider than the room reserved for it is condensed.
    this.nodeGroups.concat(this.edgeGroups).forEach(function (item) {
      item.g.querySelectorAll("text").forEach(function (t) {
        if (t.__avail > 0 && t.getComputedTextLength && t.getComputedTextLength() > t.__avail + 0.5) {
          t.setAttribute("textLength", f2(t.__avail));
          t.setAttribute("lengthAdjust", "spacingAndGlyphs");
        }
      });
    });
  };

  // ------------------------------------------------------------ the neuron view
  // Paints the neuron view (adviz.renderers.demo_network) on its base SVG (forward stage 0,
  // painted once): a stage is its phase's stage 0 (every element) and the changes after it,
  // each [number, state, (toward parent,) line, ...]; a line is [role, size, template] whose
  // holes are filled from the run, so moving an input redraws every number.
  // A neuron's zoom (adviz.renderers.demo_network.zoom_data) has the same shape, on its own
  // base SVG, with the neuron view's style table (`styles`) and no edge ranks (a scalar
  // figure keeps its edges in the view's order).
  function NetPainter(net, svg, styles) {
    var self = this, scene = net.scene;
    this.net = net;
    this.scene = scene;
    this.styles = scene.styles || styles;
    var byTitle = prepareFrame(svg, scene);
    this.nodeGroups = scene.nodes.map(function (n) {
      var g = byTitle["node:" + n[0]];
      return { g: g, rect: g.querySelector("rect").cloneNode(false) };
    });
    this.edgeGroups = scene.edges.map(function (e) {
      var g = byTitle["edge:" + e[0] + "->" + e[1]], path = g.querySelector("path");
      return { g: g, fwd: path ? path.getAttribute("d") : "" }; // a zoom's forward route, as drawn
    });
    this.first = this.nodeGroups.length ? this.nodeGroups[0].g : null;
    this.layer = this.first ? this.first.parentNode : svg;
  }

  NetPainter.prototype.count = function (phase) { return this.net.phases[phase].stages.length; };

  // Every element's last change at or before `stage` of `phase`.
  NetPainter.prototype.views = function (phase, stage) {
    var stages = this.net.phases[phase].stages, nodes = [], edges = [], k;
    for (k = 0; k <= stage; k++) {
      stages[k][0].forEach(function (c) { nodes[c[0]] = c; });
      stages[k][1].forEach(function (c) { edges[c[0]] = c; });
    }
    return { nodes: nodes, edges: edges };
  };

  NetPainter.prototype.text = function (g, refs, cx, cy, override, boldRole, left, numbers) {
    var lines = this.net.lines, sizes = this.scene.sizes, styles = this.styles;
    var x = f2(left === null || left === undefined ? cx : left), total = 0;
    refs.forEach(function (r) { total += lines[r][1] * sizes.spacing; });
    var top = cy - total / 2;
    refs.forEach(function (r) {
      var line = lines[r], size = line[1], height = size * sizes.spacing, centre = top + height / 2;
      top += height;
      var attrs = ["x", x, "y", f2(centre + size * sizes.baseline), "font-size", f2(size)];
      if (line[0] === boldRole) { attrs.push("font-weight", "bold"); }
      attrs.push("fill", override || styles.text[line[0]]);
      el("text", attrs, g).textContent = fill(line[2], numbers);
    });
  };

  // `numbers` gives each hole's number (default: the run's values and final adjoints).
  NetPainter.prototype.paint = function (run, phase, stage, numbers) {
    var self = this, scene = this.scene, styles = this.styles, states = this.net.states;
    var views = this.views(phase, stage);
    numbers = numbers || quantities(run, {});
    var on = this.on, count = scene.nodes.length; // off the focused paths: "unfocused"
    views.nodes.forEach(function (c, i) {
      var node = scene.nodes[i], item = self.nodeGroups[i], g = item.g;
      var state = on && !on[i] ? "unfocused" : states[c[1]];
      var style = styles.node[node[1]][state], title = g.querySelector("title");
      g.setAttribute("data-state", state);
      while (title.nextSibling) { g.removeChild(title.nextSibling); }
      var rect = item.rect.cloneNode(false);
      rect.setAttribute("fill", style.fill);
      rect.setAttribute("stroke", style.stroke);
      rect.setAttribute("stroke-width", f2(style.width));
      if (style.dash && style.dash.length) { rect.setAttribute("stroke-dasharray", style.dash.join(",")); }
      else { rect.removeAttribute("stroke-dasharray"); }
      g.appendChild(rect);
      self.text(g, c.slice(2), node[2], node[3], style.text, null, null, numbers);
    });
    var order = [];
    views.edges.forEach(function (c, k) {
      var edge = scene.edges[k], g = self.edgeGroups[k].g;
      var state = on && !on[count + k] ? "unfocused" : states[c[1]], style = styles.edge[state];
      var title = g.querySelector("title"), toward = c[2] === 1;
      g.setAttribute("data-state", state);
      while (title.nextSibling) { g.removeChild(title.nextSibling); }
      var alpha = style.opacity === 1 ? [] : ["stroke-opacity", String(style.opacity), "fill-opacity", String(style.opacity)];
      var d = toward ? edge[4] : edge[2] === null ? self.edgeGroups[k].fwd : edge[2], head = toward ? edge[5] : edge[3];
      el("path", ["fill", "none", "stroke", style.colour, "stroke-width", f2(style.width)].concat(alpha, ["d", d || ""]), g);
      if (head !== null && head !== undefined) {
        el("polygon", ["fill", style.colour, "stroke", style.colour, "stroke-width", "1"].concat(alpha, ["points", head]), g);
      }
      var refs = c.slice(3);
      if (refs.length && edge[6] !== null) {
        self.text(g, refs, edge[6], edge[7], style.text, style.bold, edge[8], numbers);
      }
      order.push([self.net.ranks ? self.net.ranks[state] || 0 : 0, k]);
    });
    if (!this.net.ranks) { return; }
    // Highlighted edges are painted over the thin rest, as the figure orders them.
    order.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    order.forEach(function (o) { self.layer.insertBefore(self.edgeGroups[o[1]].g, self.first); });
  };

  // Text packed as zlib (deflate) in base64, inflated by the browser.
  function inflate(base64) {
    var bytes = Uint8Array.from(atob(base64), function (c) { return c.charCodeAt(0); });
    return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"))).text();
  }

  // ------------------------------------------------------------ page
  function h(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); }); }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  // Records written as shared keys and rows (as_columns in Python), back as records.
  function records(table) {
    return table.rows.map(function (row) {
      var record = {};
      table.keys.forEach(function (key, i) { record[key] = row[i]; });
      return record;
    });
  }

  // A route written with relative cubic segments (adviz.renderers.demo.relative_path_data)
  // as the absolute path data of the SVG files (adviz.renderers.page.path_data): the same
  // numbers, added up in hundredths and written with two decimals.
  function absolutePath(d) {
    if (!d || d.charAt(0) !== "M" || d.indexOf("c") < 0) { return d; }
    var parts = d.slice(1).split("c"), head = parts[0].split(",");
    var hundredths = function (text) { return Math.round(parseFloat(text) * 100); };
    var written = function (v) { return (v < 0 ? "-" : "") + (Math.abs(v) / 100).toFixed(2); };
    var x = hundredths(head[0]), y = hundredths(head[1]);
    var out = "M" + written(x) + "," + written(y) + "C", points = [];
    var pairs = parts[1] ? parts[1].split(" ") : [];
    for (var k = 0; k < pairs.length; k += 3) {
      var endX = x, endY = y;
      for (var j = k; j < k + 3 && j < pairs.length; j++) {
        var pair = pairs[j].split(",");
        endX = x + hundredths(pair[0]); endY = y + hundredths(pair[1]);
        points.push(written(endX) + "," + written(endY));
      }
      x = endX; y = endY;
    }
    return out + points.join(" ");
  }

  // The kernel script (window.ADVIZ_KERNEL = ...) run against its own holder: the widget
  // receives it as text, and several widgets on one page each keep theirs.
  function compileKernel(source) {
    var holder = {};
    new Function("window", source)(holder); // eslint-disable-line no-new-func
    return holder.ADVIZ_KERNEL;
  }

  // bridge (the widget's): {changed(state), descend(lr, n)} or null (the exported page).
  function mount(root, packed, kernel, bridge) {
    var data = Object.assign({}, packed);
    // In this page, MathML templates expand their fragment numbers from its own list (several
    // pages, each with its list, can share this script: the notebook's widgets).
    var fragments = packed.fragments || [];
    var fillMath = function (template, numbers) { return fillMathWith(template, numbers, fragments); };
    data.nodes = records(packed.nodes);
    data.edges = records(packed.edges);
    data.edges.forEach(function (edge) { if (edge.rev) { edge.rev = [absolutePath(edge.rev[0]), edge.rev[1]]; } });
    data.table = Object.assign({}, packed.table, { rows: records(packed.table.rows) });
    var model = new Model(data, kernel);
    var svg = root.querySelector(".adviz-frame svg");
    var net = data.network || null; // the neuron view (adviz.renderers.demo_network)
    var painter = net ? new NetPainter(net, svg) : new Painter(model, svg);
    var q = function (sel) { return root.querySelector(sel); };
    var caption = q(".adviz-caption"), heading = q(".adviz-title");
    var branchNote = q(".adviz-branch-note");
    var traced = data.inputs.map(function (inp) { return inp.value; });
    var point = traced.slice();
    var run = model.run(point);
    var phase = "forward", stage = 0, timer = null, playing = null;
    var history = [];

    // ---- inputs
    var inputsBox = q(".adviz-inputs");
    var inputsHead = h("div", { "class": "adviz-inputs-head" });
    var many = data.inputs.length > MANY_INPUTS; // a network's weights: a list that scrolls
    inputsHead.appendChild(h("h2", null, many ? "Inputs (" + data.inputs.length + ")" : "Inputs"));
    inputsBox.appendChild(inputsHead);
    var inputList = h("div", many ? { "class": "adviz-input-list adviz-input-list-long",
      tabindex: "0", "aria-label": "inputs, a list that scrolls" } : { "class": "adviz-input-list" });
    inputsBox.appendChild(inputList);
    var fields = data.inputs.map(function (inp, k) {
      var row = h("div", { "class": "adviz-input" });
      var id = "adviz-in-" + k;
      var label = h("label", { "for": id, "class": "adviz-input-name" }, model.nodes[inp.node].pretty);
      var slider = h("input", { type: "range", min: String(inp.min), max: String(inp.max),
        step: String(inp.step), value: String(inp.value), "aria-label": inp.id + " (slider)" });
      var number = h("input", { type: "number", id: id, step: "any", value: shown(inp.value),
        "class": "adviz-number" });
      row.appendChild(label); row.appendChild(slider); row.appendChild(number);
      inputList.appendChild(row);
      slider.addEventListener("input", function () {
        var v = parseFloat(slider.value);
        number.value = shown(v);
        update(k, v);
      });
      number.addEventListener("input", function () {
        var v = parseFloat(number.value);
        if (isFinite(v)) { number.removeAttribute("aria-invalid"); update(k, v); }
        else { number.setAttribute("aria-invalid", "true"); }
      });
      return { slider: slider, number: number, inp: inp };
    });
    var resetInputs = h("button", { type: "button", "class": "adviz-reset-inputs" }, "Back to the traced point");
    inputsHead.appendChild(resetInputs);
    resetInputs.addEventListener("click", function () { setPoint(traced.slice(), true); history = []; refreshAll(); });

    function shown(v) { return String(parseFloat(v.toPrecision(7))); }

    function syncFields() {
      fields.forEach(function (f, k) {
        var v = point[k];
        if (parseFloat(f.number.value) !== v && f.number.value !== shown(v)) { f.number.value = shown(v); }
        if (v < parseFloat(f.slider.min)) { f.slider.min = String(v); }
        if (v > parseFloat(f.slider.max)) { f.slider.max = String(v); }
        if (parseFloat(f.slider.value) !== v) { f.slider.value = String(v); }
      });
    }

    function update(k, v) { // a user moved an input: keep the shown stage
      point[k] = v;
      history = [];
      run = model.run(point);
      refreshAll();
    }

    function setPoint(values, resetStage) {
      point = values.slice();
      run = model.run(point);
      if (resetStage) { phase = "forward"; stage = 0; }
      syncFields();
    }

    // ---- controls
    var controls = q(".adviz-controls");
    function button(cls, text, title) {
      var b = h("button", { type: "button", "class": cls, title: title }, text);
      controls.appendChild(b);
      return b;
    }
    var bForward = button("adviz-run-forward", "Forward", "Run the forward pass stage by stage");
    var bBackward = button("adviz-run-backward", "Backward", "Run the reverse pass stage by stage");
    var bStep = button("adviz-step", "Step", "One stage (Right arrow; Left arrow goes back)");
    var bReset = button("adviz-reset", "Reset", "Back to stage 0 of the forward pass");
    var counter = h("output", { "class": "adviz-counter" });
    controls.appendChild(counter);

    function stop() {
      if (timer !== null) { clearInterval(timer); timer = null; }
      playing = null;
    }

    function last(name) { return (net ? painter.count(name) : run[name].length) - 1; }

    function next() {
      if (phase === "forward" && stage === last("forward")) { phase = "reverse"; stage = 0; }
      else if (stage < last(phase)) { stage += 1; }
      else { return false; }
      return true;
    }

    function prev() {
      if (stage > 0) { stage -= 1; }
      else if (phase === "reverse") { phase = "forward"; stage = last("forward"); }
      else { return false; }
      return true;
    }

    function play(name) {
      if (playing === name) { stop(); render(); return; }
      stop();
      if (name === "forward") {
        if (phase !== "forward" || stage === last("forward")) { phase = "forward"; stage = 0; }
      } else if (phase === "forward") { phase = "reverse"; stage = 0; }
      else if (stage === last("reverse")) { stage = 0; }
      playing = name;
      render();
      timer = setInterval(function () {
        if (phase !== name || stage >= last(name)) { stop(); render(); return; }
        stage += 1;
        if (stage >= last(name)) { stop(); }
        render();
      }, data.interval);
    }

    bForward.addEventListener("click", function () { play("forward"); });
    bBackward.addEventListener("click", function () { play("reverse"); });
    bStep.addEventListener("click", function () { stop(); next(); render(); });
    bReset.addEventListener("click", function () { stop(); phase = "forward"; stage = 0; render(); });
    (bridge ? root : document).addEventListener("keydown", function (ev) {
      if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.defaultPrevented) { return; }
      var tag = ev.target && ev.target.tagName ? ev.target.tagName : "";
      if (/^(INPUT|TEXTAREA|SELECT)$/.test(tag)) { return; }
      if (ev.key === "ArrowRight") { stop(); next(); render(); ev.preventDefault(); }
      else if (ev.key === "ArrowLeft") { stop(); prev(); render(); ev.preventDefault(); }
    });

    // ---- walkthrough table (adviz.text.tables: its HTML cells as templates, escaped)
    var tableBox = q(".adviz-table");
    function title() { return fill(data.table.heading, quantities(run, {}), true); }
    function cellHtml(template, numbers) { // MathML cells, or (older data) escaped plain text
      return data.table.math ? fillMath(template, numbers) : fill(template, numbers, true);
    }
    function cell(template, numbers) {
      var td = h("td");
      td.innerHTML = template === null ? "" : cellHtml(template, numbers);
      return td;
    }
    function shownStage(row) { return row.at === undefined ? row.stage : row.at; } // neuron view: its stage
    function tableRow(row, numbers, reached) {
      var tr = h("tr", { "data-phase": row.phase, "data-stage": String(shownStage(row)) });
      tr.appendChild(h("td", null, String(row.stage)));
      tr.appendChild(cell(row.step, numbers));
      var td = h("td");
      if (reached) {
        td.innerHTML = row.updates.map(function (t) { return cellHtml(t, numbers); }).join("<br>");
      } else { tr.classList.add("adviz-pending"); }
      tr.appendChild(td);
      tr.addEventListener("click", function () { stop(); phase = row.phase; stage = shownStage(row); render(); });
      return tr;
    }
    // The table is built once per run; moving between stages replaces only the rows whose
    // reached state changes (a large graph's walkthrough has thousands of MathML cells).
    var shownTable = null;
    function finalRow(texts, numbers, done) {
      var tr = h("tr");
      tr.appendChild(h("td", null, ""));
      tr.appendChild(cell(texts[0], numbers));
      tr.appendChild(cell(done ? texts[1] : null, numbers));
      if (!done) { tr.classList.add("adviz-pending"); }
      return tr;
    }
    function renderTable() {
      var numbers = quantities(run, {});
      var reached = function (row) {
        var at = shownStage(row);
        return row.phase === "forward" ? phase === "reverse" || at <= stage : phase === "reverse" && at <= stage;
      };
      var done = phase === "reverse" && stage === last("reverse");
      var table;
      if (shownTable && shownTable.run === run) {
        table = shownTable.table;
        data.table.rows.forEach(function (row, k) {
          var item = shownTable.rows[k], now = reached(row);
          if (item.reached === now) { return; }
          var tr = tableRow(row, numbers, now);
          item.tr.parentNode.replaceChild(tr, item.tr);
          shownTable.rows[k] = { tr: tr, reached: now };
        });
        if (shownTable.done !== done) {
          shownTable.finals = shownTable.finals.map(function (tr, k) {
            var fresh = finalRow(data.table.finals[k], numbers, done);
            tr.parentNode.replaceChild(fresh, tr);
            return fresh;
          });
          shownTable.done = done;
        }
        shownTable.current.forEach(function (r) { r.classList.remove("adviz-current"); r.removeAttribute("aria-current"); });
      } else {
        table = h("table", { "class": "adviz-walkthrough" });
        var head = h("caption");
        head.innerHTML = cellHtml(data.table.title, numbers);
        table.appendChild(head);
        var bodies = { forward: h("tbody", { "class": "adviz-forward" }), reverse: h("tbody", { "class": "adviz-reverse" }) };
        var rows = data.table.rows.map(function (row) {
          var now = reached(row), tr = tableRow(row, numbers, now);
          bodies[row.phase].appendChild(tr);
          return { tr: tr, reached: now };
        });
        var fin = h("tbody", { "class": "adviz-final" });
        var finals = data.table.finals.map(function (texts) {
          var tr = finalRow(texts, numbers, done);
          fin.appendChild(tr);
          return tr;
        });
        table.appendChild(bodies.forward); table.appendChild(bodies.reverse); table.appendChild(fin);
        var old = tableBox.querySelector("table.adviz-walkthrough");
        var scroll = tableBox.scrollTop;
        if (old) { tableBox.replaceChild(table, old); } else { tableBox.appendChild(table); }
        tableBox.scrollTop = scroll;
        shownTable = { run: run, table: table, rows: rows, finals: finals, done: done, current: [] };
      }
      var current = null;
      shownTable.current = [];
      table.querySelectorAll('tr[data-phase="' + phase + '"][data-stage="' + stage + '"]').forEach(function (r) {
        r.classList.add("adviz-current");
        r.setAttribute("aria-current", "step");
        shownTable.current.push(r);
        current = current || r;
      });
      if (current && tableBox.scrollHeight > tableBox.clientHeight) {
        var top = current.offsetTop - tableBox.clientHeight / 3;
        if (current.offsetTop < tableBox.scrollTop || current.offsetTop > tableBox.scrollTop + tableBox.clientHeight - 40) {
          tableBox.scrollTop = Math.max(0, top);
        }
      }
    }

    // ---- check panel
    var checkBox = q(".adviz-check");
    function numericGradient(at) {
      return data.inputs.map(function (inp, k) {
        var x = at[k], hh = data.fdStep * Math.max(1, Math.abs(x));
        var up = at.slice(), down = at.slice();
        up[k] = x + hh; down[k] = x - hh;
        return (model.evaluate(up)[data.output] - model.evaluate(down)[data.output]) / (2 * hh);
      });
    }
    function renderCheck() {
      checkBox.textContent = "";
      checkBox.appendChild(h("h2", null, "Check the gradient"));
      var a = data.analytic, moved = point.some(function (v, k) { return v !== traced[k]; });
      var numeric = numericGradient(point);
      var table = h("table", { "class": "adviz-check-table" });
      var head = h("tr");
      ["input", "reverse mode", "finite differences"].concat(a.state === "on" ? ["analytic formula", "value"] : [])
        .forEach(function (t) { head.appendChild(h("th", { scope: "col" }, t)); });
      var thead = h("thead"); thead.appendChild(head); table.appendChild(thead);
      var body = h("tbody");
      var worst = 0;
      data.inputs.forEach(function (inp, k) {
        var tr = h("tr"), g = run.grad[k], n = numeric[k];
        var err = Math.abs(g - n) / Math.max(Math.abs(g), Math.abs(n), 1);
        if (!(err <= worst)) { worst = err; }
        tr.appendChild(h("th", { scope: "row" }, inp.gradient));
        tr.appendChild(h("td", { "class": "adviz-num" }, formatNumber(g)));
        tr.appendChild(h("td", { "class": "adviz-num" }, formatNumber(n)));
        if (a.state === "on") {
          var item = a.grads[k], value;
          var cell = h("td", { "class": "adviz-formula" });
          cell.appendChild(h("code", null, item.text));
          tr.appendChild(cell);
          if (item.js && kernel.analytic[inp.id]) { value = formatNumber(+kernel.analytic[inp.id](point)); }
          else if (!moved && item.value !== null) { value = formatNumber(item.value) + " *"; }
          else { value = "\u2014 *"; }
          tr.appendChild(h("td", { "class": "adviz-num" }, value));
        }
        body.appendChild(tr);
      });
      table.appendChild(body);
      var wrap = h("div", { "class": "adviz-check-wrap" });
      wrap.appendChild(table);
      checkBox.appendChild(wrap);
      var verdict = worst <= 1e-5 ? "agree" : "disagree";
      checkBox.appendChild(h("p", { "class": "adviz-verdict adviz-" + verdict },
        "Largest relative difference between reverse mode and central finite differences: " +
        worst.toExponential(1) + " (" + (verdict === "agree" ? "they agree" : "they disagree") + ")."));
      if (a.state === "on" && a.grads.some(function (g) { return !g.js; })) {
        checkBox.appendChild(h("p", { "class": "adviz-note" },
          "* This formula has no JavaScript form; its value is known at the traced point only."));
      } else if (a.state === "failed") {
        checkBox.appendChild(h("p", { "class": "adviz-note" },
          "SymPy could not derive the analytic formula of this graph when the page was written."));
      } else if (a.state === "missing") {
        checkBox.appendChild(h("p", { "class": "adviz-note" },
          "The analytic formula needs SymPy when the page is written: pip install 'adviz[symbolic]'."));
      }
    }

    // ---- gradient descent panel
    var descentBox = q(".adviz-descent");
    descentBox.appendChild(h("h2", null, "Gradient descent"));
    var dControls = h("div", { "class": "adviz-descent-controls" });
    var lrLabel = h("label", null, "learning rate ");
    var lrField = h("input", { type: "number", step: "any", value: String(data.lr), "class": "adviz-lr", min: "0" });
    lrLabel.appendChild(lrField);
    var nLabel = h("label", null, "n ");
    var nField = h("input", { type: "number", step: "1", min: "1", value: String(data.steps), "class": "adviz-steps" });
    nLabel.appendChild(nField);
    var bOne = h("button", { type: "button", "class": "adviz-take-step" }, "Take a step");
    var bMany = h("button", { type: "button", "class": "adviz-run-steps" }, "Run n steps");
    [lrLabel, bOne, nLabel, bMany].forEach(function (e) { dControls.appendChild(e); });
    descentBox.appendChild(dControls);
    descentBox.appendChild(h("p", { "class": "adviz-note" },
      "Each step moves every input by \u2212learning rate \u00d7 its gradient, then runs both passes again."));
    var plots = h("div", { "class": "adviz-plots" });
    descentBox.appendChild(plots);
    var descentStatus = h("p", { "class": "adviz-descent-status", "aria-live": "polite" });
    descentBox.appendChild(descentStatus);

    function descend(lr, steps) {
      stop();
      if (!history.length) { history.push({ point: point.slice(), value: run.value }); }
      var reason = "steps done";
      for (var s = 0; s < steps; s++) {
        var g = run.grad, moved = point.map(function (x, k) { return x - lr * g[k]; });
        if (!moved.every(isFinite)) { reason = "diverged"; break; }
        setPoint(moved, false);
        history.push({ point: point.slice(), value: run.value });
        if (!isFinite(run.value)) { reason = "diverged"; break; }
      }
      phase = "reverse"; stage = last("reverse");
      refreshAll();
      descentStatus.textContent = (history.length - 1) + " step(s) from the start; " + fill(data.result, quantities(run, {}), true) +
        (reason === "diverged" ? " \u2014 diverged: try a smaller learning rate" : "");
    }
    function lrValue() { var v = parseFloat(lrField.value); return isFinite(v) ? v : data.lr; }
    function descendHere(lr, n) { // the widget's descent runs in Python (re-tracing each step)
      if (bridge && bridge.descend) { bridge.descend(lr, n); } else { descend(lr, n); }
    }
    bOne.addEventListener("click", function () { descendHere(lrValue(), 1); });
    bMany.addEventListener("click", function () {
      var n = parseInt(nField.value, 10);
      descendHere(lrValue(), isFinite(n) && n > 0 ? Math.min(n, 10000) : data.steps);
    });

    function svgEl(tag, attrs, parent, text) {
      var e = el(tag, attrs, parent);
      if (text !== undefined) { e.textContent = text; }
      return e;
    }

    function renderPlots() {
      plots.textContent = "";
      var series = history.length ? history : [{ point: point.slice(), value: run.value }];
      var W = 320, H = 170, L = 52, R = 10, T = 14, B = 30;
      var vals = series.map(function (s) { return s.value; }).filter(isFinite);
      var lo = Math.min.apply(null, vals.length ? vals : [0]), hi = Math.max.apply(null, vals.length ? vals : [1]);
      var flat = hi === lo, only = hi;
      if (flat) { var pad = Math.max(Math.abs(hi) * 0.1, 1e-3); hi += pad; lo -= pad; }
      var sv = el("svg", ["class", "adviz-sparkline", "viewBox", "0 0 " + W + " " + H, "role", "img",
        "aria-label", "output per step"]);
      svgEl("rect", ["x", String(L), "y", String(T), "width", String(W - L - R), "height", String(H - T - B), "class", "adviz-plot-area"], sv);
      var n = Math.max(series.length - 1, 1);
      var X = function (i) { return L + (W - L - R) * i / n; };
      var Y = function (v) { return T + (H - T - B) * (hi - v) / (hi - lo); };
      var pts = series.map(function (s, i) { return isFinite(s.value) ? X(i).toFixed(1) + "," + Y(s.value).toFixed(1) : null; })
        .filter(function (p) { return p !== null; });
      svgEl("polyline", ["points", pts.join(" "), "class", "adviz-plot-line"], sv);
      series.forEach(function (s, i) {
        if (isFinite(s.value) && series.length <= 60) {
          svgEl("circle", ["cx", X(i).toFixed(1), "cy", Y(s.value).toFixed(1), "r", "2.2", "class", "adviz-plot-dot"], sv);
        }
      });
      if (flat) {
        svgEl("text", ["x", String(L - 4), "y", (Y(only) + 4).toFixed(1), "text-anchor", "end", "class", "adviz-plot-tick"], sv, formatNumber(only));
      } else {
        svgEl("text", ["x", String(L - 4), "y", String(T + 4), "text-anchor", "end", "class", "adviz-plot-tick"], sv, formatNumber(hi));
        svgEl("text", ["x", String(L - 4), "y", String(H - B), "text-anchor", "end", "class", "adviz-plot-tick"], sv, formatNumber(lo));
      }
      svgEl("text", ["x", String(L), "y", String(H - 8), "class", "adviz-plot-tick"], sv, "0");
      svgEl("text", ["x", String(W - R), "y", String(H - 8), "text-anchor", "end", "class", "adviz-plot-tick"], sv, String(series.length - 1));
      svgEl("text", ["x", String((L + W - R) / 2), "y", String(H - 8), "text-anchor", "middle", "class", "adviz-plot-label"], sv,
        data.nodes[data.output].id + " per step");
      var fig = h("figure", { "class": "adviz-plot" });
      fig.appendChild(sv);
      plots.appendChild(fig);
      if (data.inputs.length === 2) {
        var box = gridOver(series, 40);
        plots.appendChild(contour(series, box));
        plots.appendChild(surface(series, box));
      }
    }

    // f on a G x G grid over the inputs' ranges and the path (rows follow the second input).
    function gridOver(series, G) {
      var xs = series.map(function (s) { return s.point[0]; }), ys = series.map(function (s) { return s.point[1]; });
      var i0 = data.inputs[0], i1 = data.inputs[1];
      var x0 = Math.min(i0.min, Math.min.apply(null, xs)), x1 = Math.max(i0.max, Math.max.apply(null, xs));
      var y0 = Math.min(i1.min, Math.min.apply(null, ys)), y1 = Math.max(i1.max, Math.max.apply(null, ys));
      var grid = [], finite = [];
      for (var j = 0; j <= G; j++) {
        var row = [];
        for (var i = 0; i <= G; i++) {
          var v = model.evaluate([x0 + (x1 - x0) * i / G, y0 + (y1 - y0) * j / G])[data.output];
          row.push(v);
          if (isFinite(v)) { finite.push(v); }
        }
        grid.push(row);
      }
      finite.sort(function (a, b) { return a - b; });
      var rank = function (v) { // share of grid values below v: even colour use
        var a = 0, b = finite.length;
        while (a < b) { var m = (a + b) >> 1; if (finite[m] < v) { a = m + 1; } else { b = m; } }
        return finite.length > 1 ? a / (finite.length - 1) : 0.5;
      };
      return { x0: x0, x1: x1, y0: y0, y1: y1, G: G, grid: grid, finite: finite, rank: rank };
    }

    // The surface of f in 3D, painted on a canvas (back to front), with the descent path on it;
    // dragging (or the arrow keys on it) turns it. The view is kept across redraws.
    var view3d = { az: -0.65, el: 0.55 };
    function surface(series, box) {
      var i0 = data.inputs[0], i1 = data.inputs[1], G = box.G, grid = box.grid;
      var SIZE = 320, ratio = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
      var canvas = h("canvas", { "class": "adviz-surface", width: String(SIZE * ratio), height: String(SIZE * ratio),
        role: "img", tabindex: "0",
        "aria-label": "surface of " + data.nodes[data.output].id + " over " + i0.id + " and " + i1.id +
          " with the descent path; drag or use the arrow keys to turn it" });
      var lo = box.finite.length ? box.finite[0] : 0, hi = box.finite.length ? box.finite[box.finite.length - 1] : 1;
      if (!(hi > lo)) { hi = lo + 1; }
      var ink = data.dark ? [236, 236, 236] : [26, 26, 26];
      var pathColour = data.dark ? "#e69f00" : "#b34a00";
      function height(v) { return ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo) - 0.5) * 0.75; }
      function draw() {
        var ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height;
        var ca = Math.cos(view3d.az), sa = Math.sin(view3d.az), ce = Math.cos(view3d.el), se = Math.sin(view3d.el);
        var scale = W * 0.56;
        function project(u, w, z) { // u, w in [-0.5, 0.5] over the inputs, z the scaled value
          var X = u * ca - w * sa, D = u * sa + w * ca;
          return [W / 2 + scale * X, H * 0.54 - scale * (z * ce + D * se), D * ce - z * se];
        }
        ctx.clearRect(0, 0, W, H);
        ctx.fillStyle = data.dark ? "#151618" : "#ffffff";
        ctx.fillRect(0, 0, W, H);
        var base = -0.45, corners = [[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]].map(function (c) {
          return project(c[0], c[1], base);
        });
        ctx.strokeStyle = "rgba(" + ink.join(",") + ",0.35)";
        ctx.lineWidth = ratio;
        ctx.beginPath();
        corners.forEach(function (p, k) { if (k) { ctx.lineTo(p[0], p[1]); } else { ctx.moveTo(p[0], p[1]); } });
        ctx.closePath();
        ctx.stroke();
        var quads = [];
        for (var j = 0; j < G; j++) {
          for (var i = 0; i < G; i++) {
            var vs = [grid[j][i], grid[j][i + 1], grid[j + 1][i + 1], grid[j + 1][i]];
            if (!vs.every(isFinite)) { continue; }
            var pts = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1]].map(function (c, k) {
              return project(c[0] / G - 0.5, c[1] / G - 0.5, height(vs[k]));
            });
            var depth = (pts[0][2] + pts[1][2] + pts[2][2] + pts[3][2]) / 4;
            quads.push({ pts: pts, depth: depth, fill: ramp(box.rank((vs[0] + vs[1] + vs[2] + vs[3]) / 4)) });
          }
        }
        quads.sort(function (a, b) { return b.depth - a.depth; });
        ctx.lineWidth = 0.6 * ratio;
        ctx.strokeStyle = "rgba(" + ink.join(",") + ",0.12)";
        quads.forEach(function (q) {
          ctx.beginPath();
          ctx.moveTo(q.pts[0][0], q.pts[0][1]);
          for (var k = 1; k < 4; k++) { ctx.lineTo(q.pts[k][0], q.pts[k][1]); }
          ctx.closePath();
          ctx.fillStyle = q.fill;
          ctx.fill();
          ctx.stroke();
        });
        var u = function (x) { return (x - box.x0) / (box.x1 - box.x0) - 0.5; };
        var w = function (y) { return (y - box.y0) / (box.y1 - box.y0) - 0.5; };
        var path = series.filter(function (s) { return isFinite(s.value); }).map(function (s) {
          return project(u(s.point[0]), w(s.point[1]), height(s.value) + 0.01);
        });
        ctx.strokeStyle = pathColour;
        ctx.fillStyle = pathColour;
        ctx.lineWidth = 2 * ratio;
        ctx.lineJoin = "round";
        ctx.beginPath();
        path.forEach(function (p, k) { if (k) { ctx.lineTo(p[0], p[1]); } else { ctx.moveTo(p[0], p[1]); } });
        ctx.stroke();
        path.forEach(function (p, k) {
          if (k === path.length - 1 || path.length <= 60) {
            ctx.beginPath();
            ctx.arc(p[0], p[1], (k === path.length - 1 ? 4 : 2.2) * ratio, 0, 2 * Math.PI);
            ctx.fill();
          }
        });
        ctx.fillStyle = "rgba(" + ink.join(",") + ",0.85)";
        ctx.font = (11 * ratio) + "px system-ui, sans-serif";
        ctx.textAlign = "center";
        var a = project(0, -0.62, base), b = project(-0.62, 0, base);
        ctx.fillText(i0.id, a[0], a[1]);
        ctx.fillText(i1.id, b[0], b[1]);
        canvas.setAttribute("data-azimuth", view3d.az.toFixed(3));
        canvas.setAttribute("data-elevation", view3d.el.toFixed(3));
      }
      function turn(daz, del) {
        view3d.az += daz;
        view3d.el = Math.max(0.05, Math.min(1.5, view3d.el + del));
        draw();
      }
      var drag = null;
      canvas.addEventListener("pointerdown", function (ev) {
        drag = { x: ev.clientX, y: ev.clientY };
        if (canvas.setPointerCapture) { try { canvas.setPointerCapture(ev.pointerId); } catch (e) { /* synthetic */ } }
        ev.preventDefault();
        ev.stopPropagation();
      });
      canvas.addEventListener("pointermove", function (ev) {
        if (!drag) { return; }
        var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
        drag = { x: ev.clientX, y: ev.clientY };
        turn(dx * 0.01, dy * 0.01);
      });
      ["pointerup", "pointercancel"].forEach(function (name) {
        canvas.addEventListener(name, function () { drag = null; });
      });
      canvas.addEventListener("keydown", function (ev) {
        var turns = { ArrowLeft: [-0.1, 0], ArrowRight: [0.1, 0], ArrowUp: [0, -0.1], ArrowDown: [0, 0.1] }[ev.key];
        if (!turns) { return; }
        turn(turns[0], turns[1]);
        ev.preventDefault();
        ev.stopPropagation();
      });
      draw();
      var fig = h("figure", { "class": "adviz-plot adviz-surface-plot" });
      fig.appendChild(canvas);
      return fig;
    }

    function contour(series, box) {
      var W = 320, H = 320, M = 34, G = box.G, grid = box.grid, finite = box.finite, rank = box.rank;
      var x0 = box.x0, x1 = box.x1, y0 = box.y0, y1 = box.y1, i, j;
      var i0 = data.inputs[0], i1 = data.inputs[1];
      var PX = function (x) { return M + (W - M - 6) * (x - x0) / (x1 - x0); };
      var PY = function (y) { return H - M - (H - M - 6) * (y - y0) / (y1 - y0); };
      var sv = el("svg", ["class", "adviz-contour", "viewBox", "0 0 " + W + " " + H, "role", "img",
        "aria-label", "contour plot of " + data.nodes[data.output].id + " over " + i0.id + " and " + i1.id + " with the descent path"]);
      var cw = (W - M - 6) / G, ch = (H - M - 6) / G;
      for (j = 0; j < G; j++) {
        for (i = 0; i < G; i++) {
          var c = (grid[j][i] + grid[j][i + 1] + grid[j + 1][i] + grid[j + 1][i + 1]) / 4;
          if (!isFinite(c)) { continue; }
          svgEl("rect", ["x", (M + i * cw).toFixed(2), "y", (H - M - (j + 1) * ch).toFixed(2),
            "width", (cw + 0.4).toFixed(2), "height", (ch + 0.4).toFixed(2), "fill", ramp(rank(c)),
            "shape-rendering", "crispEdges"], sv);
        }
      }
      var levels = [];
      for (var l = 1; l < 10; l++) { if (finite.length) { levels.push(finite[Math.floor(finite.length * l / 10)]); } }
      var segs = [];
      levels.forEach(function (level) {
        for (j = 0; j < G; j++) {
          for (i = 0; i < G; i++) {
            var corners = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1]];
            var pts = [];
            for (var e = 0; e < 4; e++) {
              var a = corners[e], b = corners[(e + 1) % 4];
              var va = grid[a[1]][a[0]], vb = grid[b[1]][b[0]];
              if (!isFinite(va) || !isFinite(vb)) { continue; }
              if ((va < level) !== (vb < level)) {
                var t = (level - va) / (vb - va);
                pts.push([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]);
              }
            }
            for (var p = 0; p + 1 < pts.length; p += 2) {
              segs.push("M" + (M + pts[p][0] * cw).toFixed(1) + "," + (H - M - pts[p][1] * ch).toFixed(1) +
                "L" + (M + pts[p + 1][0] * cw).toFixed(1) + "," + (H - M - pts[p + 1][1] * ch).toFixed(1));
            }
          }
        }
      });
      svgEl("path", ["d", segs.join(""), "class", "adviz-contour-line"], sv);
      var path = series.map(function (s) { return PX(s.point[0]).toFixed(1) + "," + PY(s.point[1]).toFixed(1); });
      svgEl("polyline", ["points", path.join(" "), "class", "adviz-path"], sv);
      series.forEach(function (s, k) {
        if (k === series.length - 1 || series.length <= 60) {
          svgEl("circle", ["cx", PX(s.point[0]).toFixed(1), "cy", PY(s.point[1]).toFixed(1),
            "r", k === series.length - 1 ? "4" : "2.2", "class", k === series.length - 1 ? "adviz-path-now" : "adviz-path-dot"], sv);
        }
      });
      svgEl("rect", ["x", String(M), "y", "6", "width", String(W - M - 6), "height", String(H - M - 6), "class", "adviz-plot-frame"], sv);
      svgEl("text", ["x", String(M), "y", String(H - M + 14), "class", "adviz-plot-tick"], sv, formatNumber(x0));
      svgEl("text", ["x", String(W - 6), "y", String(H - M + 14), "text-anchor", "end", "class", "adviz-plot-tick"], sv, formatNumber(x1));
      svgEl("text", ["x", String((W + M) / 2), "y", String(H - 6), "text-anchor", "middle", "class", "adviz-plot-label"], sv, i0.id);
      svgEl("text", ["x", String(M - 4), "y", String(H - M), "text-anchor", "end", "class", "adviz-plot-tick"], sv, formatNumber(y0));
      svgEl("text", ["x", String(M - 4), "y", "14", "text-anchor", "end", "class", "adviz-plot-tick"], sv, formatNumber(y1));
      svgEl("text", ["x", "12", "y", String((H - M) / 2), "text-anchor", "middle", "class", "adviz-plot-label",
        "transform", "rotate(-90 12 " + (H - M) / 2 + ")"], sv, i1.id);
      var fig = h("figure", { "class": "adviz-plot" });
      fig.appendChild(sv);
      return fig;
    }

    function ramp(t) { // light-to-deep blue sequential scale (low values light)
      var stops = data.dark ? [[38, 52, 74], [52, 101, 140], [86, 180, 233]] : [[247, 251, 255], [158, 202, 225], [33, 113, 181]];
      t = Math.max(0, Math.min(1, t));
      var s = t < 0.5 ? 0 : 1, u = t < 0.5 ? t * 2 : (t - 0.5) * 2;
      var c = stops[s].map(function (a, i) { return Math.round(a + (stops[s + 1][i] - a) * u); });
      return "rgb(" + c.join(",") + ")";
    }

    // ---- rendering
    var frameBox = q(".adviz-frame");
    function reveal() { // a graph wider than its box scrolls so the active node shows
      if (frameBox.scrollWidth <= frameBox.clientWidth + 1) { return; }
      var target = frameBox.querySelector('svg g.node[data-state="active"]');
      if (!target) { return; }
      var box = frameBox.getBoundingClientRect(), r = target.getBoundingClientRect();
      if (r.left < box.left) { frameBox.scrollLeft -= box.left - r.left + 24; }
      else if (r.right > box.right) { frameBox.scrollLeft += r.right - box.right + 24; }
    }

    // ---- focus: clicking a node keeps its paths to the output in colour and sums them;
    // clicking it again or Escape clears it
    // In the neuron view `focused` numbers a drawn element (circles, then edges) whose scalar
    // node (net.focus) is focused, and the drawn paths come from paths.js, as in the player.
    var focusLine = q(".adviz-focus");
    var focused = net ? (typeof net.start === "number" ? net.start : -1)
      : typeof data.focus === "number" ? data.focus : -1;
    function focusedNode() {
      if (!net || focused < 0) { return focused; }
      var n = net.scene.nodes.length;
      return focused < n ? net.focus.nodes[focused] : net.focus.edges[focused - n];
    }
    function showFocus() {
      var node = focusedNode();
      if (net) { painter.on = focused < 0 ? null : advizFocusPaths(net.scene.nodes, net.scene.edges, focused); }
      else { painter.on = focused < 0 ? null : model.focusFlags(focused); }
      root.setAttribute("data-focus", node < 0 ? "" : model.nodes[node].id);
      if (!focusLine) { return; }
      var text = "";
      if (node >= 0) { // the caption's template (adviz.text.focus) filled with this run's paths
        var products = model.pathProducts(run, node, FOCUS_LIMIT), total = 0;
        if (products === null) { total = node in run.adjoints ? run.adjoints[node] : 0; }
        else { products.forEach(function (p) { total += p; }); }
        text = fill(data.focusTexts[node], function (quantity, index) {
          return quantity === "path" ? products[index] : total;
        });
      }
      focusLine.textContent = text;
      focusLine.hidden = !text;
    }
    // A click on a neuron's circle zooms into it; on a weight's edge (or an input's or the
    // loss's circle) it focuses.
    function netClick(ev) {
      var g = ev.target && ev.target.closest ? ev.target.closest("g.node, g.edge") : null;
      if (!g || zoomed >= 0) { return; }
      var k = -1, n = painter.nodeGroups.length;
      painter.nodeGroups.forEach(function (item, i) { if (item.g === g) { k = i; } });
      painter.edgeGroups.forEach(function (item, j) { if (item.g === g) { k = n + j; } });
      if (k >= 0 && k < n && zoomOf[k] !== undefined) { zoomTo(zoomOf[k]); return; }
      if (k < 0 || (k >= n && net.focus.edges[k - n] < 0)) { return; }
      focused = k === focused ? -1 : k;
      render();
    }

    // ---- zoom: a neuron's scalar graph (its products, sum, bias, activation; the rest of the
    // network collapsed) at the same stage, every number from the run: a stage shows the
    // state after the scalar stage `map` gives, a "sum" hole adds up the contributions its
    // edges have sent so far. Escape or the back button returns to the neuron view.
    // The zooms' data and base SVGs come packed (adviz.renderers.demo_network.zooms): the
    // page inflates them once, in the background; a click before that zooms when they are.
    var zoomed = -1, zoomOf = {}, zoomPainters = [], mainPainter = painter, zoomData = null, pending = null;
    var back = h("button", { type: "button", "class": "adviz-zoom-back", hidden: "" }, "\u2190 Back to the network");
    if (net && net.zooms) {
      net.zooms.forEach(function (z, j) { zoomOf[z.node] = j; });
      frameBox.parentNode.insertBefore(back, frameBox);
      back.addEventListener("click", function () { zoomTo(-1); });
      inflate(net.pack).then(function (text) {
        zoomData = JSON.parse(text);
        root.setAttribute("data-adviz-zooms-ready", "");
        if (pending !== null) { var j = pending; pending = null; zoomTo(j); }
      });
    }
    function zoomTo(j) {
      if (j >= 0 && !zoomData) { pending = j; return; }
      pending = null;
      var shown = frameBox.querySelector("svg");
      if (j >= 0 && !zoomPainters[j]) {
        var holder = document.createElement("template");
        holder.innerHTML = zoomData[j].svg; // the base SVG, parsed as the page's own
        var copy = document.importNode(holder.content.querySelector("svg"), true);
        copy.style.setProperty("--adviz-min-width", net.zooms[j].size[0]); // its own least size
        copy.style.setProperty("--adviz-min-height", net.zooms[j].size[1]);
        zoomPainters[j] = { svg: copy, painter: new NetPainter(zoomData[j], copy, net.scene.styles) };
      }
      var next = j >= 0 ? zoomPainters[j] : { svg: svg, painter: mainPainter };
      if (shown !== next.svg) { frameBox.replaceChild(next.svg, shown); }
      painter = next.painter;
      zoomed = j;
      focused = -1;
      back.hidden = j < 0;
      root.setAttribute("data-zoom", j < 0 ? "" : net.zooms[j].scope);
      frameBox.setAttribute("aria-label", j < 0 ? "Computational graph" :
        "The scalar graph of " + net.zooms[j].scope + ", the rest of the network collapsed");
      render();
    }
    function zoomNumbers(z) {
      var s = z.map[phase][stage], st = model.stateAfter(run, phase, s), k;
      if (!z.sumOf) {
        z.sumOf = {};
        z.sums.forEach(function (edges, j) { edges.forEach(function (e) { (z.sumOf[e] = z.sumOf[e] || []).push(j); }); });
      }
      var sums = z.sums.map(function () { return 0; }), upto = phase === "reverse" ? s : run.reverse.length - 1;
      var add = function (c) { (z.sumOf[c.edge] || []).forEach(function (j) { sums[j] += c.delta; }); };
      for (k = 1; k <= upto; k++) { run.reverse[k].contributions.forEach(add); }
      return function (quantity, index) {
        if (quantity === "value") { return st.values[index]; }
        if (quantity === "adjoint") { return index in st.adjoints ? st.adjoints[index] : 0; }
        if (quantity === "sum") { return sums[index]; }
        if (quantity === "partial") { return run.partials[index]; }
        return run.byEdge[index][quantity];
      };
    }
    svg.addEventListener("click", function (ev) {
      if (net) { netClick(ev); return; }
      var g = ev.target && ev.target.closest ? ev.target.closest("g.node") : null;
      if (!g) { return; }
      var k = -1;
      painter.nodeGroups.forEach(function (item, i) { if (item.g === g) { k = i; } });
      if (k < 0) { return; }
      focused = k === focused ? -1 : k;
      render();
    });
    (bridge ? root : document).addEventListener("keydown", function (ev) {
      if (ev.key !== "Escape") { return; }
      if (focused >= 0) { focused = -1; render(); ev.preventDefault(); }
      else if (zoomed >= 0) { zoomTo(-1); ev.preventDefault(); }
    });

    function render() {
      stage = Math.max(0, Math.min(stage, last(phase)));
      showFocus();
      if (net) { painter.paint(run, phase, stage, zoomed >= 0 ? zoomNumbers(zoomData[zoomed]) : null); } else {
        painter.paint(frameContent(model, run, phase, stage));
      }
      reveal();
      if (net) { caption.innerHTML = fillMath(net.phases[phase].captions[stage], quantities(run, {})); }
      else if (data.titlesMath) { // terms that wrap only between each other, math as MathML
        caption.innerHTML = fillMath(data.titlesMath[phase][stage], quantities(run, {}));
      } else { caption.textContent = stageTitle(model, run, phase, stage); }
      root.setAttribute("data-phase", phase);
      root.setAttribute("data-stage", String(stage));
      counter.textContent = (phase === "forward" ? "forward" : "reverse") + " " + stage + " / " + last(phase);
      bStep.disabled = phase === "reverse" && stage === last("reverse");
      bForward.textContent = playing === "forward" ? "Pause" : "Forward";
      bBackward.textContent = playing === "reverse" ? "Pause" : "Backward";
      bForward.setAttribute("aria-pressed", String(playing === "forward"));
      bBackward.setAttribute("aria-pressed", String(playing === "reverse"));
      if (data.title === null) { heading.textContent = title(); }
      renderTable();
      if (bridge) { bridge.changed(currentState()); }
    }

    function refreshAll() {
      syncFields();
      var moved = point.some(function (v, k) { return v !== traced[k]; });
      var notes = [];
      if (moved && data.fromFunction && !data.live) {
        notes.push("The graph records the operations the function took at the traced point (" + data.tracedPoint +
          "); the page replays that graph, so a function that branches on its inputs keeps the recorded branch here.");
      }
      var bad = -1;
      run.values.forEach(function (v, i) { if (bad < 0 && !isFinite(v)) { bad = i; } });
      if (bad >= 0) {
        var evaluated = run.forward.filter(function (s) { return s.node === bad; })[0];
        notes.push(evaluated.caption + " at these inputs: outside the domain of " + model.nodes[bad].op + ".");
      }
      branchNote.hidden = !notes.length;
      branchNote.textContent = notes.join(" ");
      render();
      renderCheck();
      renderPlots();
    }

    // ---- scripting interface
    // The neuron view's stages are not the scalar ones: its state gives every node's value and
    // final adjoint at this point, and its caption.
    function netTitle(name, k) { return fill(net.phases[name].titles[k], quantities(run, {})); }
    function currentState() {
      var st = net ? model.stateAfter(run, "reverse", run.reverse.length - 1) : model.stateAfter(run, phase, stage);
      var values = {}, adjoints = {}, inputs = {};
      Object.keys(st.values).forEach(function (i) { values[model.nodes[i].id] = st.values[i]; });
      Object.keys(st.adjoints).forEach(function (i) { adjoints[model.nodes[i].id] = st.adjoints[i]; });
      data.inputs.forEach(function (inp, k) { inputs[inp.id] = point[k]; });
      return { inputs: inputs, values: values, adjoints: adjoints, phase: phase, stage: stage,
        caption: net ? netTitle(phase, stage) : run[phase][stage].caption, view: net ? "network" : "graph",
        zoom: zoomed >= 0 ? net.zooms[zoomed].scope : null };
    }

    function named(inputs) { // input name to value, over the current point
      var values = point.slice();
      Object.keys(inputs || {}).forEach(function (name) {
        var k = data.inputs.findIndex(function (inp) { return inp.id === name; });
        if (k < 0) { throw new Error("no input named " + name); }
        var v = +inputs[name];
        if (!isFinite(v)) { throw new Error("input " + name + " must be a finite number"); }
        values[k] = v;
      });
      return values;
    }

    var api = {
      set: function (inputs) {
        stop();
        var values = named(inputs);
        history = [];
        setPoint(values, true);
        refreshAll();
        return currentState();
      },
      forward: function () { stop(); phase = "forward"; stage = last("forward"); render(); return currentState(); },
      backward: function () { stop(); phase = "reverse"; stage = last("reverse"); render(); return currentState(); },
      next: function () { stop(); next(); render(); return currentState(); },
      prev: function () { stop(); prev(); render(); return currentState(); },
      reset: function () { stop(); phase = "forward"; stage = 0; render(); return currentState(); },
      descend: function (lr, steps) { descend(+lr, steps === undefined ? 1 : +steps); return currentState(); },
      state: currentState,
      stages: function (name) {
        if (net) { return net.phases[name].titles.map(function (t, k) { return netTitle(name, k); }); }
        return run[name].map(function (s) { return s.caption; });
      },
      titles: function (name) {
        if (net) { return net.phases[name].titles.map(function (t, k) { return netTitle(name, k); }); }
        return run[name].map(function (s, k) { return stageTitle(model, run, name, k); });
      },
      order: function () { return model.order.map(function (i) { return model.nodes[i].id; }); },
      format: formatNumber,
      gradient: function () {
        var g = {};
        data.inputs.forEach(function (inp, k) { g[inp.id] = run.grad[k]; });
        return g;
      },
      history: function () {
        return history.map(function (s) {
          var p = {};
          data.inputs.forEach(function (inp, k) { p[inp.id] = s.point[k]; });
          return { inputs: p, value: s.value };
        });
      },
      // What the widget's bridge calls: move to inputs keeping the stage and the descent
      // history, show a stage, replace the history ({inputs, value} per step).
      setInputs: function (inputs) {
        var values = named(inputs);
        if (values.every(function (v, k) { return v === point[k]; })) { return currentState(); }
        stop();
        setPoint(values, false);
        refreshAll();
        return currentState();
      },
      show: function (name, index) {
        stop();
        if (name === "forward" || name === "reverse") { phase = name; }
        stage = Math.max(0, Math.min(+index, last(phase)));
        render();
        return currentState();
      },
      setHistory: function (steps) {
        history = (steps || []).map(function (s) {
          return { point: named(s.inputs), value: s.value === null ? NaN : +s.value };
        });
        descentStatus.textContent = history.length > 1 ? (history.length - 1) + " step(s) from the start; " +
          fill(data.result, quantities(run, {}), true) : "";
        renderPlots();
        return currentState();
      },
      // The neuron view zoomed into a neuron's scope ("layer 1/neuron 2"; null: back).
      zoom: function (scope) {
        var j = scope === null || !net || !net.zooms ? -1 : net.zooms.findIndex(function (z) { return z.scope === scope; });
        if (scope !== null && j < 0) { throw new Error("no neuron " + scope + " to zoom into"); }
        zoomTo(j);
        return currentState();
      },
      stop: stop
    };

    syncFields();
    refreshAll();
    root.setAttribute("data-adviz-ready", "");
    return api;
  }

  return { mount: mount, compileKernel: compileKernel };
})();

// The exported page: every demonstration on it starts from its embedded data and kernel.
(function () {
  if (typeof document === "undefined") { return; }
  var pages = document.querySelectorAll(".adviz-demo:not([data-adviz-ready])");
  for (var k = 0; k < pages.length; k++) {
    var embedded = pages[k].querySelector("script.adviz-data");
    if (embedded) {
      window.adviz = advizDemo.mount(pages[k], JSON.parse(embedded.textContent), window.ADVIZ_KERNEL, null);
    }
  }
})();
