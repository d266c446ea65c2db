// QueryExplorer: move a query among a few keys and watch the attention weights and the pooled output.
// Uses attention_math.js and ui.js (concatenated before this file by utils/widgets/_base.py).

const INPUTS = ["query", "scoring", "temperature", "bandwidth", "mode"];
const PLANE = 250; // size of each square SVG panel, px

function extent(points) {
  // half-width of a square view that holds every point, with a margin
  return 1.15 * Math.max(1, ...points.flat().map(Math.abs));
}

function convexHull(points) {
  // Andrew's monotone chain; counter-clockwise, without repeating the first point
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (sorted.length < 3) return sorted;
  const cross = (o, a, b) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (list) => {
    const chain = [];
    for (const p of list) {
      while (chain.length >= 2 && cross(chain[chain.length - 2], chain[chain.length - 1], p) <= 0) chain.pop();
      chain.push(p);
    }
    chain.pop();
    return chain;
  };
  return [...half(sorted), ...half([...sorted].reverse())];
}

function panel(range, title) {
  // a square SVG with axes through 0; returns {root, x, y, invert}
  const x = linearScale([-range, range], [10, PLANE - 10]);
  const y = linearScale([-range, range], [PLANE - 10, 10]);
  const root = svg("svg", { width: PLANE, height: PLANE + 18, class: "qkv-plane" }, [
    svg("text", { x: 10, y: 12, class: "qkv-title", text: title }),
  ]);
  const plot = svg("g", { transform: "translate(0, 18)" });
  plot.append(
    svg("rect", { x: 10, y: 10, width: PLANE - 20, height: PLANE - 20, fill: "#fafafa", stroke: "#bbb" }),
    svg("line", { x1: x(-range), x2: x(range), y1: y(0), y2: y(0), stroke: "#ccc" }),
    svg("line", { x1: x(0), x2: x(0), y1: y(-range), y2: y(range), stroke: "#ccc" }),
  );
  root.append(plot);
  return { root, plot, x, y };
}

function build(model, el, offs) {
  const t = (name) => label(model, name);
  const keyPoints = model.get("key_points");
  const values = model.get("values");
  const range = extent([...keyPoints, model.get("query")]);
  const valueRange = extent(values);
  const round = (v) => Math.round(v * 100) / 100;
  const kernelScorings = ["gaussian"];

  // controls
  const sliders = ["x", "y"].map((axis, i) =>
    rangeControl({
      testid: `query-${axis}`,
      label: t(`query_${axis}`),
      min: round(-range),
      max: round(range),
      step: 0.01,
      value: model.get("query")[i],
      format: (v) => formatNumber(v, 2),
    }),
  );
  sliders.forEach((slider, i) =>
    slider.input.addEventListener("input", () => {
      const query = [...model.get("query")];
      query[i] = slider.read();
      writeInputs(model, { query });
    }),
  );
  const scoring = traitSelect(model, "scoring", ["dot", "scaled_dot", "gaussian"]);
  const temperature = logSlider(model, "temperature", { min: -2, max: 2, extra: { mode: "softmax" } });
  const bandwidth = logSlider(model, "bandwidth", { min: -1, max: 1 });
  const modeButtons = {
    argmax: button({ testid: "one-hot", label: t("one_hot") }),
    uniform: button({ testid: "uniform", label: t("uniform") }),
  };
  for (const [mode, node] of Object.entries(modeButtons)) {
    node.addEventListener("click", () =>
      writeInputs(model, { mode: model.get("mode") === mode ? "softmax" : mode }),
    );
  }
  const modeText = html("span", { class: "qkv-mode", "aria-live": "polite", "data-testid": "mode-text" });

  // the key plane (with the draggable query) and the value plane (with the hull and the output)
  const keysPanel = panel(range, `${t("keys")} · ${t("query")}`);
  const links = keyPoints.map(() => svg("line", { stroke: "#555" }));
  keysPanel.plot.append(...links);
  keyPoints.forEach((k, i) =>
    keysPanel.plot.append(
      svg("circle", { cx: keysPanel.x(k[0]), cy: keysPanel.y(k[1]), r: 7, fill: PALETTE[i % PALETTE.length], stroke: "#000" }),
      svg("text", { x: keysPanel.x(k[0]) + 9, y: keysPanel.y(k[1]) - 7, text: `${t("key_short")}${i + 1}` }),
    ),
  );
  const queryMark = svg("path", { d: "M0,-9 L9,0 L0,9 L-9,0 Z", fill: "#fff", stroke: "#000", "stroke-width": 2.5 });
  const queryText = svg("text", { text: t("query_short"), "font-weight": 700 });
  keysPanel.plot.append(queryMark, queryText);
  keysPanel.root.classList.add("qkv-draggable");
  keysPanel.root.setAttribute("data-testid", "key-plane");
  const moveQuery = (event) => {
    const box = keysPanel.root.getBoundingClientRect();
    const [px, py] = [event.clientX - box.left, event.clientY - box.top - 18];
    const clamp = (v) => round(Math.min(Math.max(v, -range), range));
    const toData = (p, from) => from[0] + ((p - 10) / (PLANE - 20)) * (from[1] - from[0]);
    writeInputs(model, { query: [clamp(toData(px, [-range, range])), clamp(toData(py, [range, -range]))] });
  };
  keysPanel.root.addEventListener("pointerdown", (event) => {
    event.preventDefault(); // no text selection while dragging
    keysPanel.root.setPointerCapture(event.pointerId);
    moveQuery(event);
  });
  keysPanel.root.addEventListener("pointermove", (event) => {
    if (keysPanel.root.hasPointerCapture(event.pointerId)) moveQuery(event);
  });

  const valuesPanel = panel(valueRange, `${t("values")} · ${t("output")}`);
  const hull = convexHull(values);
  valuesPanel.plot.append(
    svg("polygon", {
      points: hull.map((p) => `${valuesPanel.x(p[0])},${valuesPanel.y(p[1])}`).join(" "),
      fill: "#e8e8e8",
      stroke: "#777",
      "stroke-dasharray": "4 3",
    }),
  );
  values.forEach((v, i) =>
    valuesPanel.plot.append(
      svg("rect", {
        x: valuesPanel.x(v[0]) - 6,
        y: valuesPanel.y(v[1]) - 6,
        width: 12,
        height: 12,
        fill: PALETTE[i % PALETTE.length],
        stroke: "#000",
      }),
      svg("text", { x: valuesPanel.x(v[0]) + 9, y: valuesPanel.y(v[1]) - 7, text: `${t("value_short")}${i + 1}` }),
    ),
  );
  const outputMark = svg("circle", { r: 6, fill: "#000", stroke: "#fff", "stroke-width": 2 });
  const outputText = svg("text", { text: t("output"), "font-weight": 700 });
  valuesPanel.plot.append(outputMark, outputText);
  const hullNote = html("p", { class: "qkv-note", text: t("hull_note") });

  // the table of scores and weights
  const rows = keyPoints.map((_, i) => {
    const bar = weightBar();
    const cells = [html("td", { class: "qkv-num" }), html("td", {}, [bar.node]), html("td", { class: "qkv-num" })];
    const swatch = html("span", { class: "qkv-swatch" });
    swatch.style.background = PALETTE[i % PALETTE.length];
    const name = `${t("key_short")}${i + 1} → ${t("value_short")}${i + 1}`;
    return { node: html("tr", {}, [html("th", { scope: "row" }, [swatch, name]), ...cells]), cells, bar };
  });
  const table = html("table", { "data-testid": "weights-table" }, [
    html("thead", {}, [
      html("tr", {}, [t("key"), t("score"), t("attention_weight"), ""].map((text) => html("th", { text }))),
    ]),
    html("tbody", {}, rows.map((row) => row.node)),
  ]);

  el.append(
    html("div", { class: "qkv-controls" }, sliders.map((s) => s.root)),
    html("div", { class: "qkv-controls" }, [scoring.root, temperature.root, bandwidth.root]),
    html("div", { class: "qkv-controls" }, [modeButtons.argmax, modeButtons.uniform, modeText]),
    html("div", { class: "qkv-row" }, [keysPanel.root, valuesPanel.root]),
    hullNote,
    table,
  );

  function update() {
    const [query, scoringName, T, h, mode] = INPUTS.map((name) => model.get(name));
    const { scores, weights, output } = attentionPool([query], keyPoints, values, scoringName, T, h, mode);
    const [row, pooled] = [weights[0], output[0]];
    sliders.forEach((slider, i) => slider.show(query[i]));
    scoring.input.value = scoringName;
    temperature.show(T);
    bandwidth.show(h);
    bandwidth.input.disabled = !kernelScorings.includes(scoringName);
    for (const [name, node] of Object.entries(modeButtons)) node.setAttribute("aria-pressed", String(mode === name));
    modeText.textContent = t(`mode_${mode}`);
    const [qx, qy] = [keysPanel.x(query[0]), keysPanel.y(query[1])];
    queryMark.setAttribute("transform", `translate(${qx}, ${qy})`);
    queryText.setAttribute("x", qx + 11);
    queryText.setAttribute("y", qy + 16);
    links.forEach((line, i) =>
      setAttributes(line, {
        x1: qx,
        y1: qy,
        x2: keysPanel.x(keyPoints[i][0]),
        y2: keysPanel.y(keyPoints[i][1]),
        "stroke-width": 0.5 + 6 * row[i],
        "stroke-opacity": 0.15 + 0.85 * row[i],
      }),
    );
    const [ox, oy] = [valuesPanel.x(pooled[0]), valuesPanel.y(pooled[1])];
    setAttributes(outputMark, { cx: ox, cy: oy });
    setAttributes(outputText, { x: ox + 9, y: oy + 16 });
    rows.forEach(({ cells, bar }, i) => {
      cells[0].textContent = formatNumber(scores[0][i]);
      bar.show(row[i], PALETTE[i % PALETTE.length]);
      cells[2].textContent = formatNumber(row[i]);
    });
    setState(el, {
      query,
      scoring: scoringName,
      temperature: T,
      bandwidth: h,
      mode,
      key_points: keyPoints,
      values,
      scores: scores[0],
      weights: row,
      output: pooled,
      hull,
    });
  }
  listen(model, INPUTS, update, offs);
  update();
}

export default widgetModule("QueryExplorer", ["key_points", "values"], build);
