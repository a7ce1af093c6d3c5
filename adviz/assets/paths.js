// Focus in a drawn graph (adviz.scene.focus; the neuron view: adviz.scene.network.network_focus),
// shared by the player and the demonstration page: the elements on a path from a drawn node
// (or from a drawn edge: a weight of the neuron view, start = node count + its number) to an
// output, boxes and circles included, as one flag per element (nodes, then edges).
// `nodes` are [id, kind, ...] (kind "output" marks an output), `edges` [parent id, child id, ...].
function advizFocusPaths(nodes, edges, start) {
  "use strict";
  var count = nodes.length, index = {}, down = [], up = [], out = [], into = [], k;
  for (k = 0; k < count; k++) {
    index[nodes[k][0]] = k; down.push(false); up.push(nodes[k][1] === "output"); out.push([]); into.push([]);
  }
  edges.forEach(function (e, j) { out[index[e[0]]].push(j); into[index[e[1]]].push(j); });
  var edge = start >= count ? start - count : -1;
  if (edge >= 0) { start = index[edges[edge][1]]; } // the paths leave through its child
  var stack = [start];
  down[start] = true;
  while (stack.length) {
    out[stack.pop()].forEach(function (j) { var c = index[edges[j][1]]; if (!down[c]) { down[c] = true; stack.push(c); } });
  }
  stack = [];
  for (k = 0; k < count; k++) { if (up[k]) { stack.push(k); } }
  while (stack.length) {
    into[stack.pop()].forEach(function (j) { var p = index[edges[j][0]]; if (!up[p]) { up[p] = true; stack.push(p); } });
  }
  var on = [];
  for (k = 0; k < count; k++) { on.push((k === start && edge < 0) || (down[k] && up[k])); }
  edges.forEach(function (e, j) { on.push(j === edge || (down[index[e[0]]] && up[index[e[1]]])); });
  return on;
}
