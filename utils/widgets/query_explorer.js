// QueryExplorer: move a query among a few keys and watch the attention weights and the pooled output.
// Uses attention_math.js and ui.js (concatenated before this file by utils/widgets/_base.py).

const INPUTS = ["query", "scoring", "temperature", "bandwidth", "mode"];
const SOFTMAX = "softmax"; // the mode with a temperature; the others are its limits (utils.attention.POOL_MODES)
const PLANE = 250; // size of each square SVG panel, px
const [INSET, TITLE_HEIGHT] = [10, 18]; // the plot's margin inside a panel, and the title above it, px

function extent(points) {
  // half-width of a square view that holds every point, with a margin
  return 1.15 * Math.max(1, ...points.flat().map(Math.abs));
}

function panel(range, title) {
  // a square SVG with axes through 0: {root, plot, x, y, invert(event) -> the data point under the pointer}
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
  return { root, plot, x, y, invert };
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
  // the keys and the draggable query, linked by lines as thick as the weights: {root, show(query, weights)}
  const t = (name) => label(model, name);
  const keyPoints = model.get("key_points");
  const plane = panel(range, `${t("keys")} · ${t("query")}`);
  const links = keyPoints.map(() => svg("line", { stroke: "#555" }));
  plane.plot.append(...links);
  keyPoints.forEach(([kx, ky], i) =>
    plane.plot.append(
      svg("circle", { cx: plane.x(kx), cy: plane.y(ky), r: 7, fill: PALETTE[i % PALETTE.length], stroke: "#000" }),
      svg("text", { x: plane.x(kx) + 9, y: plane.y(ky) - 7, text: `${t("key_short")}${i + 1}` }),
    ),
  );
  const mark = svg("path", { d: "M0,-9 L9,0 L0,9 L-9,0 Z", fill: "#fff", stroke: "#000", "stroke-width": 2.5 });
  const markText = svg("text", { text: t("query_short"), "font-weight": 700 });
  const queryPoint = svg("g", { "data-testid": "query-point" }, [mark, markText]);
  plane.plot.append(queryPoint);
  plane.root.setAttribute("data-testid", "key-plane");
  const clamp = (v) => hundredths(Math.min(Math.max(v, -range), range));
  draggable(plane.root, (event) => writeInputs(model, { query: plane.invert(event).map(clamp) }));
  keyboardMovable(queryPoint, t("move_query"), (dx, dy) => {
    const [qx, qy] = model.get("query");
    writeInputs(model, { query: [clamp(qx + 0.05 * dx), clamp(qy + 0.05 * dy)] });
  });
  const show = (query, weights) => {
    const [qx, qy] = [plane.x(query[0]), plane.y(query[1])];
    mark.setAttribute("transform", `translate(${qx}, ${qy})`);
    setAttributes(markText, { x: qx + 11, y: qy + 16 });
    links.forEach((line, i) => {
      const [x2, y2] = [plane.x(keyPoints[i][0]), plane.y(keyPoints[i][1])];
      const [width, opacity] = [0.5 + 6 * weights[i], 0.15 + 0.85 * weights[i]];
      setAttributes(line, { x1: qx, y1: qy, x2, y2, "stroke-width": width, "stroke-opacity": opacity });
    });
  };
  return { root: plane.root, show };
}

function valuePlane(model) {
  // the values, their convex hull and the pooled output: {root, hull, show(output)}
  const t = (name) => label(model, name);
  const values = model.get("values");
  const plane = panel(extent(values), `${t("values")} · ${t("output")}`);
  const hull = convexHull(values);
  const corners = hull.map(([vx, vy]) => `${plane.x(vx)},${plane.y(vy)}`).join(" ");
  plane.plot.append(svg("polygon", { points: corners, fill: "#e8e8e8", stroke: "#777", "stroke-dasharray": "4 3" }));
  values.forEach(([vx, vy], i) => {
    const [x, y] = [plane.x(vx), plane.y(vy)];
    plane.plot.append(
      svg("rect", { x: x - 6, y: y - 6, width: 12, height: 12, fill: PALETTE[i % PALETTE.length], stroke: "#000" }),
      svg("text", { x: x + 9, y: y - 7, text: `${t("value_short")}${i + 1}` }),
    );
  });
  const mark = svg("circle", { r: 6, fill: "#000", stroke: "#fff", "stroke-width": 2 });
  const markText = svg("text", { text: t("output"), "font-weight": 700 });
  plane.plot.append(mark, markText);
  const show = ([ox, oy]) => {
    setAttributes(mark, { cx: plane.x(ox), cy: plane.y(oy) });
    setAttributes(markText, { x: plane.x(ox) + 9, y: plane.y(oy) + 16 });
  };
  return { root: plane.root, hull, show };
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
  const [keyPoints, values] = [model.get("key_points"), model.get("values")];
  const [announce, keyNames] = [announcer(el), keyPoints.map((_, i) => `${label(model, "key_short")}${i + 1}`)];
  let shownMode = model.get("mode");
  const range = extent([...keyPoints, model.get("query")]);
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
    const state = Object.fromEntries(INPUTS.map((name) => [name, model.get(name)]));
    const { query, scoring: scoringName, temperature, bandwidth, mode } = state;
    const pooled = attentionPool([query], keyPoints, values, scoringName, temperature, bandwidth, mode);
    const [scores, weights, output] = [pooled.scores[0], pooled.weights[0], pooled.output[0]];
    sliders.show(query);
    scoring.show(state);
    modes.show(mode);
    keys.show(query, weights);
    valueView.show(output);
    table.show(scores, weights);
    const headline = largestHeadline(model, keyNames, weights);
    announce(mode === shownMode ? headline : `${label(model, `mode_${mode}`)}. ${headline}`);
    shownMode = mode;
    const solved = goal.show(CHALLENGES.QueryExplorer({ ...state, key_points: keyPoints, values }));
    return { ...state, key_points: keyPoints, values, scores, weights, output, hull: valueView.hull,
      challenge_solved: solved };
  };
}

export default widgetModule("QueryExplorer", ["key_points", "values"], INPUTS, build);
