// DOM helpers shared by the widgets. No human-readable text lives here: every label comes from Python
// (utils/i18n.py) through the widget's `labels` trait.

const SVG_NS = "http://www.w3.org/2000/svg";
// Okabe–Ito, a palette that colour-blind readers can tell apart (its yellow is left out: too pale on white)
const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
// matplotlib's "Reds" (ColorBrewer), low to high, as in utils.show_heatmaps
const REDS = ["#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#a50f15", "#67000d"];
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

function writeInputs(model, changes) {
  // the only way the widgets write to the model: input traits, then a save that needs a kernel (none on the site)
  for (const [name, value] of Object.entries(changes)) model.set(name, value);
  try {
    model.save_changes();
  } catch (err) {
    // no kernel behind a static page: the view has already redrawn from model.set
  }
}

function listen(model, names, callback, offs) {
  for (const name of names) {
    model.on(`change:${name}`, callback);
    offs.push(() => model.off(`change:${name}`, callback));
  }
}

function control(label, input, output) {
  const id = uniqueId("control");
  input.id = id;
  const children = [html("label", { for: id, text: label }), input];
  if (output) children.push(output);
  return html("div", { class: "qkv-control" }, children);
}

function rangeControl({ testid, label, min, max, step, value, toSlider = (x) => x, fromSlider = (x) => x, format }) {
  // a labelled <input type=range> whose value also shows as text; toSlider/fromSlider map a log scale
  const input = html("input", { type: "range", min, max, step, "data-testid": testid });
  const output = html("output", { class: "qkv-number", "aria-hidden": "true" });
  const root = control(label, input, output);
  const show = (x) => {
    input.value = String(toSlider(x));
    output.textContent = format(x);
    input.setAttribute("aria-valuetext", format(x));
  };
  show(value);
  return { root, input, show, read: () => fromSlider(Number(input.value)) };
}

function selectControl({ testid, label, options, value }) {
  // options: [[value, text], ...]
  const input = html(
    "select",
    { "data-testid": testid },
    options.map(([optionValue, text]) => html("option", { value: optionValue, text })),
  );
  input.value = String(value);
  return { root: control(label, input), input };
}

function label(model, name) {
  // the reader's-language text for `name` (the labels trait comes from utils/i18n.py)
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

function traitSelect(model, name, choices, caption = name) {
  // a select over `choices` (trait values, shown in the reader's language) that writes the trait `name`
  const options = choices.map((choice) => [choice, label(model, choice)]);
  const select = selectControl({ testid: name, label: label(model, caption), options, value: model.get(name) });
  select.input.addEventListener("change", () => writeInputs(model, { [name]: select.input.value }));
  return select;
}

function button({ testid, label, onclick }) {
  return html("button", { type: "button", "data-testid": testid, text: label, onclick });
}

function weightBar() {
  // a horizontal bar for a weight in [0, 1]: {node, show(weight, colour)}
  const fill = html("span", { class: "qkv-bar-fill" });
  const show = (weight, colour) => {
    fill.style.width = `${(100 * weight).toFixed(2)}%`;
    fill.style.background = colour;
  };
  return { node: html("span", { class: "qkv-bar" }, [fill]), show };
}

function heatmap({ numRows, numCols, cellSize, rowLabels, colLabels, xlabel, ylabel, title, focusable, onSelect }) {
  // an SVG heatmap in the style of utils.show_heatmaps (Reds, one colourbar); returns {root, update, highlight, cells}
  const [width, height] = cellSize;
  const left = 28 + 7 * Math.min(12, Math.max(1, ...(rowLabels || []).map((text) => text.length)));
  const top = title ? 22 : 6;
  const [plotWidth, plotHeight] = [numCols * width, numRows * height];
  const barX = left + plotWidth + 14;
  const gradientId = uniqueId("reds");
  const root = svg("svg", {
    class: "qkv-heatmap",
    width: barX + 52,
    height: top + plotHeight + 36,
    role: focusable ? "grid" : "img",
    "aria-label": title || `${ylabel} × ${xlabel}`,
  });
  root.append(
    svg("defs", {}, [
      svg(
        "linearGradient",
        { id: gradientId, x1: 0, y1: 1, x2: 0, y2: 0 },
        REDS.map((colour, i) => svg("stop", { offset: i / (REDS.length - 1), "stop-color": colour })),
      ),
    ]),
  );
  if (title) root.append(svg("text", { x: left, y: 15, class: "qkv-title", text: title }));
  // a focusable heatmap has SVG cells one can tab to; the others are painted on a canvas (fast for many cells)
  const canvas = focusable ? null : html("canvas", { width: plotWidth, height: plotHeight, "data-testid": "cells" });
  if (canvas) root.append(svg("foreignObject", { x: left, y: top, width: plotWidth, height: plotHeight }, [canvas]));
  const cells = [];
  for (let i = 0; i < (focusable ? numRows : 0); i++) {
    const row = [];
    for (let j = 0; j < numCols; j++) {
      const cell = svg("rect", {
        x: left + j * width,
        y: top + i * height,
        width,
        height,
        class: "qkv-cell",
        "data-testid": `cell-${i}-${j}`,
        tabindex: focusable ? (i === 0 && j === 0 ? 0 : -1) : null,
        role: focusable ? "gridcell" : null,
      });
      if (onSelect) {
        cell.addEventListener("mouseenter", () => onSelect(i, j, false));
        cell.addEventListener("focus", () => onSelect(i, j, false));
        cell.addEventListener("click", () => onSelect(i, j, true));
      }
      row.push(cell);
    }
    cells.push(row);
  }
  cells.forEach((row) => root.append(...row));
  const labelEvery = (n) => Math.ceil(n / 12);
  (rowLabels || []).forEach((text, i) => {
    if (i % labelEvery(numRows) === 0)
      root.append(svg("text", { x: left - 4, y: top + (i + 0.5) * height + 4, class: "qkv-tick-y", text }));
  });
  (colLabels || []).forEach((text, j) => {
    if (j % labelEvery(numCols) === 0)
      root.append(svg("text", { x: left + (j + 0.5) * width, y: top + plotHeight + 12, class: "qkv-tick-x", text }));
  });
  root.append(svg("text", { x: left + plotWidth / 2, y: top + plotHeight + 30, class: "qkv-axis-label", text: xlabel }));
  const ylabelY = top + plotHeight / 2;
  root.append(
    svg("text", { x: 10, y: ylabelY, transform: `rotate(-90 10 ${ylabelY})`, class: "qkv-axis-label", text: ylabel }),
  );
  root.append(svg("rect", { x: barX, y: top, width: 12, height: plotHeight, fill: `url(#${gradientId})`, stroke: "#444" }));
  const ticks = [0, 0.5, 1].map((t) =>
    svg("text", { x: barX + 16, y: top + (1 - t) * plotHeight + 4, class: "qkv-tick-bar" }),
  );
  root.append(...ticks);
  if (focusable) {
    root.addEventListener("keydown", (event) => {
      const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      const at = event.target.getAttribute("data-testid")?.match(/^cell-(\d+)-(\d+)$/);
      if (!moves[event.key] || !at) return;
      event.preventDefault();
      const i = Math.min(Math.max(Number(at[1]) + moves[event.key][0], 0), numRows - 1);
      const j = Math.min(Math.max(Number(at[2]) + moves[event.key][1], 0), numCols - 1);
      cells.flat().forEach((cell) => cell.setAttribute("tabindex", -1));
      cells[i][j].setAttribute("tabindex", 0);
      cells[i][j].focus();
    });
  }
  function update(matrix) {
    // colour by (x - min) / (max - min) like matplotlib's Normalize (0 when max = min)
    const flat = matrix.flat();
    const [vmin, vmax] = [Math.min(...flat), Math.max(...flat)];
    const context = canvas && canvas.getContext("2d");
    matrix.forEach((row, i) =>
      row.forEach((x, j) => {
        const colour = reds(vmax > vmin ? (x - vmin) / (vmax - vmin) : 0);
        if (context) {
          context.fillStyle = colour;
          context.fillRect(j * width, i * height, width, height);
        } else {
          cells[i][j].setAttribute("fill", colour);
          cells[i][j].setAttribute("aria-label", formatNumber(x));
        }
      }),
    );
    ticks.forEach((tick, k) => {
      tick.textContent = formatNumber(vmin + (k / 2) * (vmax - vmin), 2);
    });
  }
  const outline = svg("rect", { fill: "none", stroke: "#000", "stroke-width": 2, "pointer-events": "none" });
  root.append(outline);
  function highlight(i, j) {
    // outline row i (j = null) or the cell (i, j)
    const [x0, w] = j === null ? [left, plotWidth] : [left + j * width, width];
    setAttributes(outline, { x: x0, y: top + i * height, width: w, height });
  }
  return { root, update, highlight, cells };
}

function widgetModule(className, dataTraits, build) {
  // the anywidget module: build(model, el, offs) draws the view from the model's state alone (no kernel needed);
  // the view is rebuilt when the labels (language) or the data traits change
  return {
    render({ model, el }) {
      el.classList.add("qkv-widget");
      el.setAttribute("data-widget", className);
      // in JupyterLab, keys pressed in the view are the view's: no notebook shortcut (arrows would move cells)
      el.setAttribute("data-lm-suppress-shortcuts", "true");
      el.addEventListener("keydown", (event) => event.stopPropagation());
      let offs = [];
      const rebuild = () => {
        offs.forEach((off) => off());
        offs = [];
        el.replaceChildren();
        build(model, el, offs);
      };
      const rebuildOn = ["labels", ...dataTraits];
      rebuildOn.forEach((name) => model.on(`change:${name}`, rebuild));
      rebuild();
      return () => {
        offs.forEach((off) => off());
        rebuildOn.forEach((name) => model.off(`change:${name}`, rebuild));
      };
    },
  };
}
