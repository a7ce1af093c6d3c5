(function () {
  "use strict";
  var EDITABLE = /^(INPUT|TEXTAREA|SELECT)$/;
  var ACTIVATES = /^(BUTTON|A|SUMMARY|INPUT|TEXTAREA|SELECT)$/;

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
    var names = [];
    var phases = {};
    data.phases.forEach(function (p) { names.push(p.name); phases[p.name] = p; p.at = 0; });
    var phase = data.start[0];
    var stage = data.start[1];
    var timer = null;
    if (phases[phase].frames[stage] === null) {
      phases[phase].frames[stage] = frame.innerHTML;
    }

    function last(name) { return phases[name].frames.length - 1; }
    function isFirst() { return names.indexOf(phase) === 0 && stage === 0; }
    function isLast() { return names.indexOf(phase) === names.length - 1 && stage === last(phase); }

    function show(name, index) {
      var p = phases[name];
      index = Math.max(0, Math.min(index, p.frames.length - 1));
      if (name !== phase || index !== stage || frame.getAttribute("data-shown") === null) {
        frame.innerHTML = p.frames[index];
        frame.setAttribute("data-shown", "");
      }
      phase = name;
      stage = index;
      p.at = index;
      root.setAttribute("data-phase", name);
      root.setAttribute("data-stage", String(index));
      caption.textContent = p.captions[index];
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

    show(phase, stage);
  }

  var players = document.querySelectorAll(".adviz-player:not([data-adviz-ready])");
  for (var k = 0; k < players.length; k++) { init(players[k]); }
})();
