// The notebook widget (anywidget): the demonstration page's script, demo.js, loaded just
// before this, bridged to the widget's Python model. Python holds the state (inputs, phase,
// stage, history) and traces; the page draws it, and what the reader does in the page
// (a slider, a stage, a descent button) goes back to Python.
function advizSame(a, b) {
  var ka = Object.keys(a || {}), kb = Object.keys(b || {});
  return ka.length === kb.length && ka.every(function (k) { return a[k] === b[k]; });
}

function advizRender(context) {
  var model = context.model, el = context.el;
  var api = null, pulling = true;
  var host = document.createElement("div");
  host.className = "adviz-widget";
  el.appendChild(host);

  var bridge = {
    changed: function (state) { // the page moved: tell Python what differs
      if (pulling) { return; }
      var dirty = false;
      if (!advizSame(state.inputs, model.get("inputs"))) { model.set("inputs", state.inputs); dirty = true; }
      if (state.phase !== model.get("phase")) { model.set("phase", state.phase); dirty = true; }
      if (state.stage !== model.get("stage")) { model.set("stage", state.stage); dirty = true; }
      if (dirty) { model.save_changes(); }
    },
    descend: function (lr, n) { model.send({ type: "descend", lr: lr, n: n }); }
  };

  function pull() { // Python moved: show its state
    if (!api) { return; }
    pulling = true;
    try {
      api.setInputs(model.get("inputs"));
      api.setHistory(model.get("history"));
      api.show(model.get("phase"), model.get("stage"));
    } finally { pulling = false; }
  }

  function mountPage() { // a new graph (first, or after a re-trace took another branch)
    var page = model.get("_page");
    if (api) { api.stop(); }
    pulling = true;
    host.innerHTML = page.html;
    var root = host.querySelector(".adviz-demo");
    api = advizDemo.mount(root, page.data, advizDemo.compileKernel(page.kernel), bridge);
    pull();
    host.setAttribute("data-adviz-key", page.key);
  }

  model.on("change:_page", mountPage);
  ["inputs", "history", "phase", "stage"].forEach(function (name) { model.on("change:" + name, pull); });
  mountPage();
  return function () { if (api) { api.stop(); } };
}

export default { render: advizRender };
