// DOM helpers shared by the widgets. No human-readable text lives here: every label comes from Python
// (utils/widgets/labels.py) through the widget's `labels` trait.

const SVG_NS = "http://www.w3.org/2000/svg";
// Okabe–Ito, a palette that colour-blind readers can tell apart (its yellow is left out: too pale on white)
const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
// matplotlib's "Reds" (ColorBrewer), low to high, as in utils.show_heatmaps
const REDS = ["#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#a50f15", "#67000d"];
const WEIGHT_RANGE = [0, 1]; // the colour scale of every heatmap: attention weights, from 0 to 1
let idCounter = 0;

function setAttributes(node, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  return node;
}

function html(tag, attrs = {}, children = []) {
  const node = setAttributes(document.createElement(tag), attrs);
  node.append(...children);
  return node;
}

function svg(tag, attrs = {}, children = []) {
  const node = setAttributes(document.createElementNS(SVG_NS, tag), attrs);
  node.append(...children);
  return node;
}

function uniqueId(name) {
  idCounter += 1;
  return `qkv-${name}-${idCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

function formatNumber(x, digits = 3) {
  // fixed digits, "−∞" for -Infinity (and for null, which is how JSON carries it), no "-0.000"
  if (x === null || x === -Infinity) return "−∞";
  if (!Number.isFinite(x)) return String(x);
  const rounded = Math.abs(x) < 0.5 * 10 ** -digits ? 0 : x;
  return rounded.toFixed(digits);
}

function formatSignificant(x) {
  return Number(x.toPrecision(3)).toString();
}

function linearScale([d0, d1], [r0, r1]) {
  const slope = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (x) => r0 + (x - d0) * slope;
}

const REDS_RGB = REDS.map((hex) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16)));

function reds(t) {
  // t in [0, 1] -> a colour of the Reds map, linearly interpolated between its nine stops
  const x = Math.min(Math.max(t, 0), 1) * (REDS.length - 1);
  const i = Math.min(Math.floor(x), REDS.length - 2);
  const [a, b] = [REDS_RGB[i], REDS_RGB[i + 1]];
  const mix = a.map((c, k) => Math.round(c + (b[k] - c) * (x - i)));
  return `rgb(${mix.join(",")})`;
}

function setState(root, state) {
  // the inputs and the numbers on display, for tests (JSON writes -Infinity as null)
  root.setAttribute("data-state", JSON.stringify(state));
}

const WRITTEN = new WeakMap(); // model -> {trait: the value a view of it wrote last}

function writeInputs(model, changes) {
  // the only way the widgets write to the model: input traits, then a save that needs a kernel (none on the site)
  WRITTEN.set(model, { ...WRITTEN.get(model), ...changes });
  for (const [name, value] of Object.entries(changes)) model.set(name, value);
  try {
    model.save_changes();
  } catch {
    // no kernel behind a static page: the view has already redrawn from model.set
  }
}

function listen(model, names, callback, offs) {
  for (const name of names) {
    model.on(`change:${name}`, callback);
    offs.push(() => model.off(`change:${name}`, callback));
  }
}

function control(caption, input, output) {
  const id = uniqueId("control");
  input.id = id;
  const children = [html("label", { for: id, text: caption }), input];
  if (output) children.push(output);
  return html("div", { class: "qkv-control" }, children);
}

function rangeControl({ testid, label: caption, min, max, step, value, toSlider = (x) => x, fromSlider = (x) => x,
  format }) {
  // a labelled <input type=range> whose value also shows as text; toSlider/fromSlider map a log scale
  const input = html("input", { type: "range", min, max, step, "data-testid": testid });
  const output = html("output", { class: "qkv-number", "aria-hidden": "true" });
  const root = control(caption, input, output);
  const show = (x) => {
    input.value = String(toSlider(x));
    output.textContent = format(x);
    input.setAttribute("aria-valuetext", format(x));
  };
  show(value);
  return { root, input, show, read: () => fromSlider(Number(input.value)) };
}

function selectControl({ testid, label: caption, options, value }) {
  // options: [[value, text], ...]
  const input = html(
    "select",
    { "data-testid": testid },
    options.map(([optionValue, text]) => html("option", { value: optionValue, text })),
  );
  input.value = String(value);
  return { root: control(caption, input), input };
}

function label(model, name) {
  // the reader's-language text for `name` (the labels trait comes from utils/widgets/labels.py)
  return model.get("labels")[name] ?? name;
}

function logSlider(model, name, { min, max, extra = {} }) {
  // a slider over 10^min … 10^max for the positive trait `name`; moving it writes the trait (and `extra`)
  const slider = rangeControl({
    testid: name, label: label(model, name), min, max, step: 0.01, value: model.get(name),
    toSlider: Math.log10, fromSlider: (v) => 10 ** v, format: formatSignificant,
  });
  slider.input.addEventListener("input", () => writeInputs(model, { [name]: slider.read(), ...extra }));
  return slider;
}

function scoringControls(model, temperatureExtra = {}) {
  // the scoring, the temperature and the bandwidth (for the kernel scorings only): {root, show(state)};
  // moving the temperature also writes `temperatureExtra`
  const { scoring: scorings, kernel: kernels } = model.get("choices");
  const scoring = traitSelect(model, "scoring", scorings);
  const temperature = logSlider(model, "temperature", { min: -2, max: 2, extra: temperatureExtra });
  const bandwidth = logSlider(model, "bandwidth", { min: -1, max: 1 });
  const disableBandwidth = disabledReason(bandwidth, label(model, "bandwidth_disabled"));
  const show = (state) => {
    scoring.input.value = state.scoring;
    temperature.show(state.temperature);
    bandwidth.show(state.bandwidth);
    disableBandwidth(!kernels.includes(state.scoring));
  };
  return { root: html("div", { class: "qkv-controls" }, [scoring.root, temperature.root, bandwidth.root]), show };
}

function traitSelect(model, name, choices, caption = name) {
  // a select over `choices` (trait values, shown in the reader's language) that writes the trait `name`
  const options = choices.map((choice) => [choice, label(model, choice)]);
  const select = selectControl({ testid: name, label: label(model, caption), options, value: model.get(name) });
  select.input.addEventListener("change", () => writeInputs(model, { [name]: select.input.value }));
  return select;
}

function hundredths(x) {
  // x rounded to the sliders' step of 0.01
  return Math.round(x * 100) / 100;
}

function svgPoint(root, event) {
  // the pointer's position in `root`'s own units, however the SVG is scaled on the page: [x, y]
  const box = root.getBoundingClientRect();
  const [width, height] = ["width", "height"].map((name) => Number(root.getAttribute(name)));
  return [(event.clientX - box.left) * (width / box.width), (event.clientY - box.top) * (height / box.height)];
}

function draggable(node, grab) {
  // pressing on `node` calls grab(event), which returns move(event) for this drag (what is dragged depends on where
  // the press is) or null (nothing to drag there); moving with the pointer captured calls it. No text selection and
  // no page scroll while dragging (touch-action in widgets.css)
  node.classList.add("qkv-draggable");
  let move = null;
  node.addEventListener("pointerdown", (event) => {
    move = grab(event);
    if (!move) return;
    event.preventDefault();
    node.setPointerCapture(event.pointerId);
    move(event);
  });
  node.addEventListener("pointermove", (event) => {
    if (move && node.hasPointerCapture(event.pointerId)) move(event);
  });
}

function button({ testid, label: caption, onclick }) {
  return html("button", { type: "button", "data-testid": testid, text: caption, onclick });
}

function weightBar() {
  // a horizontal bar for a weight in [0, 1]: {node, show(weight, colour)}
  const fill = html("span", { class: "qkv-bar-fill" });
  const show = (weight, colour) => {
    fill.style.width = `${(100 * weight).toFixed(2)}%`;
    fill.style.background = colour;
  };
  return { node: html("span", { class: "qkv-bar", "aria-hidden": "true" }, [fill]), show };
}

function heatmapBox({ numRows, numCols, cellSize, rowLabels, title }) {
  // where a heatmap's parts go, px: the cells from (left, top), then the colour bar at barX
  const [width, height] = cellSize;
  const left = 28 + 7 * Math.min(12, Math.max(1, ...(rowLabels || []).map((text) => text.length)));
  const top = title ? 22 : 6;
  const [plotWidth, plotHeight] = [numCols * width, numRows * height];
  return { numRows, numCols, width, height, left, top, plotWidth, plotHeight, barX: left + plotWidth + 14 };
}

function canvasCells(box) {
  // the cells painted on a canvas (fast for many cells): {nodes, paint(i, j, x, colour)}
  const canvas = html("canvas", { width: box.plotWidth, height: box.plotHeight, "data-testid": "cells" });
  const context = canvas.getContext("2d");
  const paint = (i, j, x, colour) => {
    context.fillStyle = colour;
    context.fillRect(j * box.width, i * box.height, box.width, box.height);
  };
  const frame = { x: box.left, y: box.top, width: box.plotWidth, height: box.plotHeight };
  return { nodes: [svg("foreignObject", frame, [canvas])], paint };
}

function focusableCells(box, onSelect, cellName) {
  // one SVG cell per entry that one can tab to and select, in rows of an ARIA grid: {nodes, paint(i, j, x, colour),
  // keydown}; cellName(i, j, x) names a cell for a screen reader
  const cells = Array.from({ length: box.numRows }, (_row, i) =>
    Array.from({ length: box.numCols }, (_cell, j) => {
      const cell = svg("rect", {
        x: box.left + j * box.width, y: box.top + i * box.height, width: box.width, height: box.height,
        class: "qkv-cell", "data-testid": `cell-${i}-${j}`, tabindex: i === 0 && j === 0 ? 0 : -1, role: "gridcell",
      });
      if (onSelect) {
        cell.addEventListener("mouseenter", () => onSelect(i, j, false));
        cell.addEventListener("focus", () => onSelect(i, j, false));
        cell.addEventListener("click", () => onSelect(i, j, true));
      }
      return cell;
    }),
  );
  const paint = (i, j, x, colour) => setAttributes(cells[i][j], { fill: colour, "aria-label": cellName(i, j, x) });
  const keydown = rovingFocus(cells);
  return { nodes: [ariaGrid(cells, box.label, (attrs, children) => svg("g", attrs, children))], paint, keydown };
}

function heatmapAxes(box, { rowLabels, colLabels, xlabel, ylabel }) {
  // tick labels (at most about 12 per axis) and the two axis labels, as SVG nodes
  const every = (n) => Math.ceil(n / 12);
  const nodes = [];
  (rowLabels || []).forEach((text, i) => {
    const y = box.top + (i + 0.5) * box.height + 4;
    if (i % every(box.numRows) === 0) nodes.push(svg("text", { x: box.left - 4, y, class: "qkv-tick-y", text }));
  });
  (colLabels || []).forEach((text, j) => {
    const [x, y] = [box.left + (j + 0.5) * box.width, box.top + box.plotHeight + 12];
    if (j % every(box.numCols) === 0) nodes.push(svg("text", { x, y, class: "qkv-tick-x", text }));
  });
  const [middleX, middleY] = [box.left + box.plotWidth / 2, box.top + box.plotHeight / 2];
  nodes.push(
    svg("text", { x: middleX, y: box.top + box.plotHeight + 30, class: "qkv-axis-label", text: xlabel }),
    svg("text", { x: 10, y: middleY, transform: `rotate(-90 10 ${middleY})`, class: "qkv-axis-label", text: ylabel }),
  );
  return nodes;
}

function colourBar(box) {
  // the Reds colour bar with ticks at min, middle and max (distinct numbers): {nodes, show(vmin, vmax)}
  const gradientId = uniqueId("reds");
  const stops = REDS.map((colour, i) => svg("stop", { offset: i / (REDS.length - 1), "stop-color": colour }));
  const gradient = svg("linearGradient", { id: gradientId, x1: 0, y1: 1, x2: 0, y2: 0 }, stops);
  const bar = svg("rect", {
    x: box.barX, y: box.top, width: 12, height: box.plotHeight, fill: `url(#${gradientId})`, stroke: "#444",
  });
  const ticks = [0, 0.5, 1].map((t) =>
    svg("text", { x: box.barX + 16, y: box.top + (1 - t) * box.plotHeight + 4, class: "qkv-tick-bar" }),
  );
  const show = (vmin, vmax) =>
    ticks.forEach((tick, k) => {
      tick.textContent = formatNumber(vmin + (k / 2) * (vmax - vmin), 2);
    });
  return { nodes: [svg("defs", {}, [gradient]), bar, ...ticks], show };
}

function heatmap(options) {
  // an SVG heatmap in the style of utils.show_heatmaps (Reds, one colourbar): {root, update(matrix), highlight(i, j)}
  // options: numRows, numCols, cellSize [w, h], rowLabels, colLabels, xlabel, ylabel, title, focusable, onSelect
  // cellNames: [row word, column word, value word] for the cells' names ("query 0, key 1: attention weight 0.125")
  const { title, xlabel, ylabel, focusable } = options;
  const box = { ...heatmapBox(options), label: title || `${ylabel} × ${xlabel}` };
  const root = scalable(svg("svg", {
    class: "qkv-heatmap", width: box.barX + 52, height: box.top + box.plotHeight + 36,
    role: focusable ? "group" : "img", "aria-label": box.label,
  }));
  const cells = focusable ? focusableCells(box, options.onSelect, cellNamer(options)) : canvasCells(box);
  if (cells.keydown) root.addEventListener("keydown", cells.keydown);
  const bar = colourBar(box);
  const outline = svg("rect", { fill: "none", stroke: "#000", "stroke-width": 2, "pointer-events": "none" });
  if (title) root.append(svg("text", { x: box.left, y: 15, class: "qkv-title", text: title, "aria-hidden": "true" }));
  // a frame around the cells: the palest colour (a weight near the minimum) still shows where the map ends
  const frame = svg("rect", {
    x: box.left - 0.5, y: box.top - 0.5, width: box.plotWidth + 1, height: box.plotHeight + 1, fill: "none",
    stroke: "#767676", "data-testid": "cells-frame",
  });
  const decoration = svg("g", { "aria-hidden": "true" }, [frame, ...heatmapAxes(box, options), ...bar.nodes, outline]);
  root.append(...cells.nodes, decoration);
  function update(matrix) {
    // attention weights on a fixed scale anchored at 0, [0, 1]: near-uniform weights look near-uniform
    const [vmin, vmax] = WEIGHT_RANGE;
    matrix.forEach((row, i) => row.forEach((x, j) => cells.paint(i, j, x, reds((x - vmin) / (vmax - vmin)))));
    bar.show(vmin, vmax);
  }
  function highlight(i, j) {
    // outline row i (j = null) or the cell (i, j)
    const [x0, w] = j === null ? [box.left, box.plotWidth] : [box.left + j * box.width, box.width];
    setAttributes(outline, { x: x0, y: box.top + i * box.height, width: w, height: box.height });
  }
  return { root, update, highlight };
}

// --- accessibility: live announcements, ARIA grid, keyboard moves, disabled reasons, scalable SVG ---

function announcer(el, delay = 300) {
  // a polite live region in `el`: announce(text) speaks `text` once the changes pause for `delay` ms (a moving
  // slider says only where it stops); the first call, the view as first drawn, is not news and says nothing
  const region = html("div", {
    class: "qkv-sr-only", role: "status", "aria-live": "polite", "aria-atomic": "true", "data-testid": "announcement",
  });
  el.append(region);
  let [timer, first] = [null, true];
  return (text) => {
    clearTimeout(timer);
    if (first) {
      first = false;
      return;
    }
    timer = setTimeout(() => {
      region.textContent = text;
    }, delay);
  };
}

function fillSlots(template, values) {
  // a label with {name} slots filled from `values`
  return template.replace(/\{(\w+)\}/g, (slot, name) => (name in values ? values[name] : slot));
}

function largestHeadline(model, names, weights) {
  // the largest weight in words, from the label templates: "k1 now 0.440, the largest" (or a tie of several)
  const top = Math.max(...weights);
  const at = names.filter((_, i) => weights[i] === top);
  const template = label(model, at.length > 1 ? "announce_tie" : "announce_largest");
  return fillSlots(template, { key: at.join(", "), weight: formatNumber(top) });
}

function cellNamer({ cellNames, rowLabels, colLabels }) {
  // (i, j, x) -> "query 0, key 1: attention weight 0.125"; the bare number when no words are given
  if (!cellNames) return (_i, _j, x) => formatNumber(x);
  const [row, col, value] = cellNames;
  return (i, j, x) => `${row} ${rowLabels?.[i] ?? i}, ${col} ${colLabels?.[j] ?? j}: ${value} ${formatNumber(x)}`;
}

function ariaGrid(cells, name, group) {
  // cells[i][j] (nodes with role gridcell) in rows of one ARIA grid named `name`; group(attrs, children) makes the
  // row and grid nodes (an SVG <g>, or an HTML <div> for HTML cells)
  return group({ role: "grid", "aria-label": name }, cells.map((row) => group({ role: "row" }, row)));
}

function rovingFocus(cells) {
  // keydown handler for the cells[i][j] of a grid with one tab stop: the arrow keys move the focus (and the tab stop)
  // from cell to cell
  const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  return (event) => {
    const i = cells.findIndex((row) => row.includes(event.target));
    if (!moves[event.key] || i < 0) return;
    event.preventDefault();
    const j = cells[i].indexOf(event.target);
    const [k, l] = [i + moves[event.key][0], j + moves[event.key][1]];
    const next = cells[Math.min(Math.max(k, 0), cells.length - 1)];
    const cell = next[Math.min(Math.max(l, 0), next.length - 1)];
    cells.flat().forEach((node) => node.setAttribute("tabindex", -1));
    cell.setAttribute("tabindex", 0);
    cell.focus();
  };
}

function weightRow({ count, name, cellName }) {
  // one query's weights on `count` keys as a row of an ARIA grid named `name`: a swatch per key in the heatmaps'
  // colours, one tab stop, the arrow keys move along it; it wraps on a narrow screen. The cell in focus (or under
  // the pointer) shows its name below, for sighted readers. {root, show(weights)}; cellName(j, w) names cell j
  const cells = Array.from({ length: count }, (_, j) => html("div", {
    role: "gridcell", tabindex: j === 0 ? 0 : -1, class: "qkv-weight-cell", "data-testid": `row-cell-${j}`,
  }));
  const grid = ariaGrid([cells], name, (attrs, children) => html("div", attrs, children));
  grid.addEventListener("keydown", rovingFocus([cells]));
  const readout = html("p", { class: "qkv-readout", "aria-hidden": "true", "data-testid": "row-readout" });
  let shown = null; // the cell whose name the readout shows
  const tell = (cell) => {
    shown = cell;
    readout.textContent = cell ? cell.getAttribute("aria-label") : "";
  };
  cells.forEach((cell) => ["focus", "mouseenter"].forEach((event) => cell.addEventListener(event, () => tell(cell))));
  grid.addEventListener("focusout", () => tell(null));
  const show = (weights) => {
    weights.forEach((w, j) => {
      cells[j].style.background = reds((w - WEIGHT_RANGE[0]) / (WEIGHT_RANGE[1] - WEIGHT_RANGE[0]));
      cells[j].setAttribute("aria-label", cellName(j, w));
    });
    tell(shown);
  };
  return { root: html("div", { class: "qkv-weight-row", "data-testid": "weight-row" }, [grid, readout]), show };
}

function keyboardMovable(node, name, move) {
  // a point one can also move with the arrow keys (Shift: five times further): move(dx, dy) in steps, y up;
  // `name` says what it is and how to move it
  setAttributes(node, { tabindex: 0, role: "img", "aria-label": name, class: "qkv-movable" });
  const steps = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
  node.addEventListener("keydown", (event) => {
    if (!steps[event.key]) return;
    event.preventDefault();
    const times = event.shiftKey ? 5 : 1;
    move(steps[event.key][0] * times, steps[event.key][1] * times);
  });
}

function disabledReason({ root, input }, why) {
  // a note beside a control ({root, input}) that says why it is disabled, also as its description: set(disabled)
  const note = html("span", { class: "qkv-why", id: uniqueId("why"), text: why, hidden: "" });
  root.append(note);
  return (disabled) => {
    input.disabled = disabled;
    note.hidden = !disabled;
    if (disabled) input.setAttribute("aria-describedby", note.id);
    else input.removeAttribute("aria-describedby");
  };
}

function tableHead(texts) {
  // a header row whose last header also covers the bar column after it (a weight: its bar, then its number)
  const last = texts.length - 1;
  const heads = texts.map((text, k) => html("th", { text, scope: "col", colspan: k === last ? 2 : undefined }));
  return html("thead", {}, [html("tr", {}, heads)]);
}

function scalable(root) {
  // an SVG that shrinks with a narrow widget (a phone): its viewBox is its size; CSS caps its width
  root.setAttribute("viewBox", `0 0 ${root.getAttribute("width")} ${root.getAttribute("height")}`);
  root.classList.add("qkv-scalable");
  return root;
}

function widgetModule(className, dataTraits, inputs, build) {
  // the anywidget module. build(model, el, redraw) draws the view from the model's state alone (no kernel needed)
  // and returns show(), which redraws it from the inputs and returns the numbers on display; redraw() runs show
  // once, then on every change of an input, and writes its numbers to data-state. The view is rebuilt from
  // scratch when the labels (language), the choices or a data trait change, except for a data trait that a view
  // wrote itself (a dragged point): that redraws
  return {
    render({ model, el }) {
      el.classList.add("qkv-widget");
      el.setAttribute("data-widget", className);
      // in JupyterLab, keys pressed in the view are the view's: no notebook shortcut (arrows would move cells)
      el.setAttribute("data-lm-suppress-shortcuts", "true");
      el.addEventListener("keydown", (event) => event.stopPropagation());
      let [offs, redraw] = [[], null];
      const rebuild = () => {
        offs.forEach((off) => off());
        offs = [];
        el.replaceChildren();
        let show = null;
        redraw = () => setState(el, show());
        show = build(model, el, redraw);
        listen(model, inputs, redraw, offs);
        redraw();
      };
      const handlers = [["labels", rebuild], ["choices", rebuild], ...dataTraits.map((name) =>
        [name, () => (model.get(name) === WRITTEN.get(model)?.[name] ? redraw() : rebuild())])];
      handlers.forEach(([name, handler]) => model.on(`change:${name}`, handler));
      rebuild();
      return () => {
        offs.forEach((off) => off());
        handlers.forEach(([name, handler]) => model.off(`change:${name}`, handler));
      };
    },
  };
}

const SOLVED = new WeakSet(); // the models whose challenge was reached in this page: it stays reached

function challengeBox(model, key) {
  // the widget's challenge above its controls: the goal, a polite live region that announces reaching it and the
  // "why" (hidden until then). Labels goal_<key> and why_<key>. {root, show(met) -> solved}: once the goal is met,
  // or Python says challenge_solved, it stays solved, also when the state moves away again
  const t = (name) => label(model, name);
  const status = html("p", {
    class: "qkv-challenge-status", role: "status", "aria-live": "polite", "data-testid": "challenge-status",
  });
  const why = html("details", { class: "qkv-challenge-why", "data-testid": "challenge-why" }, [
    html("summary", { text: t("challenge_why") }),
    html("p", { text: t(`why_${key}`) }),
  ]);
  const goal = html("p", { class: "qkv-challenge-goal", "data-testid": "challenge-goal" }, [
    html("strong", { text: t("challenge") }),
    ` ${t(`goal_${key}`)}`,
  ]);
  const root = html("div", { class: "qkv-challenge", "data-testid": "challenge" }, [goal, status, why]);
  const show = (met) => {
    if (met || model.get("challenge_solved")) SOLVED.add(model);
    const solved = SOLVED.has(model);
    const text = solved ? t("challenge_done") : "";
    if (status.textContent !== text) status.textContent = text; // a live region: announce only a change
    why.hidden = !solved;
    root.classList.toggle("qkv-challenge-solved", solved);
    return solved;
  };
  return { root, show };
}
