// QueryExplorer: move a query among a few keys and watch the attention weights and the pooled output.
// Uses attention_math.js and ui.js (concatenated before this file by utils/widgets/_base.py).

const INPUTS = ["query", "scoring", "temperature", "bandwidth", "mode"];
const POINTS = ["key_points", "values"]; // data the reader can also drag: a change made by this view only redraws
const SOFTMAX = "softmax"; // the mode with a temperature; the others are its limits (utils.attention.POOL_MODES)
const PLANE = 250; // size of each square SVG panel, px
const [INSET, TITLE_HEIGHT] = [10, 18]; // the plot's margin inside a panel, and the title above it, px
const HIT = 16; // a press this near a point (screen px, however the panel is scaled) grabs it: a 32-px target
const STEP = 0.05; // how far an arrow key moves a point (Shift: five times further)

function extent(points) {
  // half-width of a square view that holds every point, with a margin
  return 1.15 * Math.max(1, ...points.flat().map(Math.abs));
}

function clampTo(range) {
  // a coordinate kept inside the view [-range, range], on the sliders' 0.01 steps
  return (v) => hundredths(Math.min(Math.max(v, -range), range));
}

function panel(range, title) {
  // a square SVG with axes through 0: {root, plot, x, y, invert(event) -> the data point under the pointer,
  // nearest(event, points) -> the index of the point within HIT px of the pointer (the nearest), or null}
  const [across, down] = [[INSET, PLANE - INSET], [PLANE - INSET, INSET]];
  const [x, y] = [linearScale([-range, range], across), linearScale([-range, range], down)];
  const [fromX, fromY] = [linearScale(across, [-range, range]), linearScale(down, [-range, range])];
  const root = scalable(svg("svg", { width: PLANE, height: PLANE + TITLE_HEIGHT, class: "qkv-plane" }, [
    svg("text", { x: INSET, y: 12, class: "qkv-title", text: title }),
  ]));
  const plot = svg("g", { transform: `translate(0, ${TITLE_HEIGHT})` });
  plot.append(
    svg("rect", {
      x: INSET, y: INSET, width: PLANE - 2 * INSET, height: PLANE - 2 * INSET,
      fill: "#fafafa", stroke: "#bbb",
    }),
    svg("line", { x1: x(-range), x2: x(range), y1: y(0), y2: y(0), stroke: "#ccc" }),
    svg("line", { x1: x(0), x2: x(0), y1: y(-range), y2: y(range), stroke: "#ccc" }),
  );
  root.append(plot);
  const invert = (event) => {
    const [px, py] = svgPoint(root, event);
    return [fromX(px), fromY(py - TITLE_HEIGHT)];
  };
  const nearest = (event, points) => {
    const [px, py] = svgPoint(root, event);
    let [best, reach] = [null, (HIT * PLANE) / root.getBoundingClientRect().width]; // HIT px in the SVG's units
    points.forEach(([a, b], i) => {
      const distance = Math.hypot(x(a) - px, y(b) + TITLE_HEIGHT - py);
      if (distance <= reach) [best, reach] = [i, distance];
    });
    return best;
  };
  return { root, plot, x, y, invert, nearest };
}

function movablePoints(model, plane, trait, { range, word, testid, marker }) {
  // the points of `trait` (n, 2) on `plane`, each one draggable and a tab stop that the arrow keys move, named
  // "key 2 at (x, y)"; marker(i) draws point i around (0, 0): {grab(event) -> move(event) or null, show(points)}
  const t = (name) => label(model, name);
  const clamp = clampTo(range);
  const write = (i, point) => {
    const points = model.get(trait).map((p) => [...p]);
    points[i] = point.map(clamp);
    writeInputs(model, { [trait]: points });
  };
  const nodes = model.get(trait).map((_, i) => {
    const node = svg("g", { "data-testid": `${testid}-${i + 1}` }, marker(i));
    keyboardMovable(node, "", (dx, dy) => {
      const [px, py] = model.get(trait)[i];
      write(i, [px + STEP * dx, py + STEP * dy]);
    });
    return node;
  });
  plane.plot.append(...nodes);
  const grab = (event) => {
    const i = plane.nearest(event, model.get(trait));
    return i === null ? null : (moved) => write(i, plane.invert(moved));
  };
  const show = (points) =>
    points.forEach(([px, py], i) => {
      const where = { point: `${t(word)} ${i + 1}`, x: formatNumber(px, 2), y: formatNumber(py, 2) };
      setAttributes(nodes[i], { transform: `translate(${plane.x(px)}, ${plane.y(py)})`,
        "aria-label": fillSlots(t("move_point"), where) });
    });
  return { grab, show };
}

function querySliders(model, range) {
  // one slider per coordinate of the query: {root, show(query)}
  const sliders = ["x", "y"].map((axis, i) => {
    const slider = rangeControl({
      testid: `query-${axis}`, label: label(model, `query_${axis}`), min: hundredths(-range), max: hundredths(range),
      step: 0.01, value: model.get("query")[i], format: (v) => formatNumber(v, 2),
    });
    slider.input.addEventListener("input", () => {
      const query = [...model.get("query")];
      query[i] = slider.read();
      writeInputs(model, { query });
    });
    return slider;
  });
  const show = (query) => sliders.forEach((slider, i) => slider.show(query[i]));
  return { root: html("div", { class: "qkv-controls" }, sliders.map((s) => s.root)), show };
}

function modeButtons(model) {
  // one toggle per limit of softmax and the rule in use: {root, show(mode)}
  const limits = model.get("choices").mode.filter((mode) => mode !== SOFTMAX);
  const buttons = limits.map((mode) => {
    const node = button({ testid: `mode-${mode}`, label: label(model, `button_${mode}`) });
    node.addEventListener("click", () => writeInputs(model, { mode: model.get("mode") === mode ? SOFTMAX : mode }));
    return [mode, node];
  });
  const text = html("span", { class: "qkv-mode", "data-testid": "mode-text" }); // spoken by the announcer
  const show = (mode) => {
    buttons.forEach(([name, node]) => node.setAttribute("aria-pressed", String(mode === name)));
    text.textContent = label(model, `mode_${mode}`);
  };
  return { root: html("div", { class: "qkv-controls" }, [...buttons.map(([, node]) => node), text]), show };
}

function keyPlane(model, range) {
  // the keys and the query, linked by lines as thick as the weights: {root, show(query, keyPoints, weights)}.
  // Pressing on a key drags it; pressing on the query or anywhere else drags the query
  const t = (name) => label(model, name);
  const plane = panel(range, `${t("keys")} · ${t("query")}`);
  const links = model.get("key_points").map(() => svg("line", { stroke: "#555" }));
  plane.plot.append(...links);
  const keys = movablePoints(model, plane, "key_points", {
    range, word: "key", testid: "key-point", marker: (i) => [
      svg("circle", { r: 7, fill: PALETTE[i % PALETTE.length], stroke: "#000" }),
      svg("text", { x: 9, y: -7, text: `${t("key_short")}${i + 1}` }),
    ],
  });
  const mark = svg("path", { d: "M0,-9 L9,0 L0,9 L-9,0 Z", fill: "#fff", stroke: "#000", "stroke-width": 2.5 });
  const markText = svg("text", { text: t("query_short"), "font-weight": 700 });
  const queryPoint = svg("g", { "data-testid": "query-point" }, [mark, markText]);
  plane.plot.append(queryPoint);
  plane.root.setAttribute("data-testid", "key-plane");
  const clamp = clampTo(range);
  const moveQuery = (event) => writeInputs(model, { query: plane.invert(event).map(clamp) });
  draggable(plane.root, (event) => {
    const onQuery = plane.nearest(event, [model.get("query")]) !== null;
    return (!onQuery && keys.grab(event)) || moveQuery;
  });
  keyboardMovable(queryPoint, t("move_query"), (dx, dy) => {
    const [qx, qy] = model.get("query");
    writeInputs(model, { query: [clamp(qx + STEP * dx), clamp(qy + STEP * dy)] });
  });
  const show = (query, keyPoints, weights) => {
    const [qx, qy] = [plane.x(query[0]), plane.y(query[1])];
    mark.setAttribute("transform", `translate(${qx}, ${qy})`);
    setAttributes(markText, { x: qx + 11, y: qy + 16 });
    keys.show(keyPoints);
    links.forEach((line, i) => {
      const [x2, y2] = [plane.x(keyPoints[i][0]), plane.y(keyPoints[i][1])];
      const [width, opacity] = [0.5 + 6 * weights[i], 0.15 + 0.85 * weights[i]];
      setAttributes(line, { x1: qx, y1: qy, x2, y2, "stroke-width": width, "stroke-opacity": opacity });
    });
  };
  return { root: plane.root, show };
}

function valuePlane(model) {
  // the values (each one draggable), their convex hull and the pooled output: {root, show(values, output) -> hull}
  const t = (name) => label(model, name);
  const range = extent(model.get("values"));
  const plane = panel(range, `${t("values")} · ${t("output")}`);
  const hull = svg("polygon", { fill: "#e8e8e8", stroke: "#777", "stroke-dasharray": "4 3" });
  plane.plot.append(hull);
  const values = movablePoints(model, plane, "values", {
    range, word: "value", testid: "value-point", marker: (i) => [
      svg("rect", { x: -6, y: -6, width: 12, height: 12, fill: PALETTE[i % PALETTE.length], stroke: "#000" }),
      svg("text", { x: 9, y: -7, text: `${t("value_short")}${i + 1}` }),
    ],
  });
  draggable(plane.root, values.grab);
  const mark = svg("circle", { r: 6, fill: "#000", stroke: "#fff", "stroke-width": 2, "pointer-events": "none" });
  const markText = svg("text", { text: t("output"), "font-weight": 700, "pointer-events": "none" });
  plane.plot.append(mark, markText);
  const show = (points, [ox, oy]) => {
    const corners = convexHull(points);
    hull.setAttribute("points", corners.map(([vx, vy]) => `${plane.x(vx)},${plane.y(vy)}`).join(" "));
    values.show(points);
    setAttributes(mark, { cx: plane.x(ox), cy: plane.y(oy) });
    setAttributes(markText, { x: plane.x(ox) + 9, y: plane.y(oy) + 16 });
    return corners;
  };
  return { root: plane.root, show };
}

function weightsTable(model) {
  // one row per key: its score, a bar and its weight: {root, show(scores, weights)}
  const t = (name) => label(model, name);
  const rows = model.get("key_points").map((_, i) => {
    const bar = weightBar();
    const cells = [html("td", { class: "qkv-num" }), html("td", {}, [bar.node]), html("td", { class: "qkv-num" })];
    const swatch = html("span", { class: "qkv-swatch" });
    swatch.style.background = PALETTE[i % PALETTE.length];
    const name = `${t("key_short")}${i + 1} → ${t("value_short")}${i + 1}`;
    return { node: html("tr", {}, [html("th", { scope: "row" }, [swatch, name]), ...cells]), cells, bar };
  });
  const root = html("table", { "data-testid": "weights-table" }, [
    tableHead([t("key"), t("score"), t("attention_weight")]),
    html("tbody", {}, rows.map((row) => row.node)),
  ]);
  const show = (scores, weights) =>
    rows.forEach(({ cells, bar }, i) => {
      cells[0].textContent = formatNumber(scores[i]);
      bar.show(weights[i], PALETTE[i % PALETTE.length]);
      cells[2].textContent = formatNumber(weights[i]);
    });
  return { root, show };
}

function build(model, el) {
  const [announce, count] = [announcer(el), model.get("key_points").length];
  const keyNames = Array.from({ length: count }, (_, i) => `${label(model, "key_short")}${i + 1}`);
  let shownMode = model.get("mode");
  const range = extent([...model.get("key_points"), model.get("query")]);
  const sliders = querySliders(model, range);
  const [scoring, modes] = [scoringControls(model, { mode: SOFTMAX }), modeButtons(model)];
  const [keys, valueView, table] = [keyPlane(model, range), valuePlane(model), weightsTable(model)];
  const goal = challengeBox(model, "query");
  el.append(
    goal.root,
    sliders.root,
    scoring.root,
    modes.root,
    html("div", { class: "qkv-row" }, [keys.root, valueView.root]),
    html("p", { class: "qkv-note", text: label(model, "hull_note") }),
    table.root,
  );
  return () => {
    const state = Object.fromEntries([...INPUTS, ...POINTS].map((name) => [name, model.get(name)]));
    const { query, key_points: keyPoints, values, scoring: scoringName, temperature, bandwidth, mode } = state;
    const pooled = attentionPool([query], keyPoints, values, scoringName, temperature, bandwidth, mode);
    const [scores, weights, output] = [pooled.scores[0], pooled.weights[0], pooled.output[0]];
    sliders.show(query);
    scoring.show(state);
    modes.show(mode);
    keys.show(query, keyPoints, weights);
    const hull = valueView.show(values, output);
    table.show(scores, weights);
    const headline = largestHeadline(model, keyNames, weights);
    announce(mode === shownMode ? headline : `${label(model, `mode_${mode}`)}. ${headline}`);
    shownMode = mode;
    const solved = goal.show(CHALLENGES.QueryExplorer(state));
    return { ...state, scores, weights, output, hull, challenge_solved: solved };
  };
}

export default widgetModule("QueryExplorer", POINTS, INPUTS, build);
