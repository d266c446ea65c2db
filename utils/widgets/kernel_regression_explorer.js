// KernelRegressionExplorer: Nadaraya–Watson regression with a kernel and a bandwidth, and one movable test point.
// Uses attention_math.js and ui.js (concatenated before this file by utils/widgets/_base.py).

const INPUTS = ["kernel", "bandwidth", "x_test"];
const [WIDTH, PLOT_HEIGHT, BAR_HEIGHT, MARGIN] = [440, 210, 70, 36];

function frame(model) {
  // the data and the plots' scales: {xTrain, yTrain, xGrid, xMin, xMax, yLow, yHigh, x, y}
  const [xTrain, yTrain, xGrid] = ["x_train", "y_train", "x_grid"].map((name) => model.get(name));
  const [xMin, xMax] = [Math.min(...xGrid, ...xTrain), Math.max(...xGrid, ...xTrain)];
  const [yLow, yHigh] = [Math.min(0, ...yTrain), Math.max(0, ...yTrain)];
  const pad = 0.08 * (yHigh - yLow || 1);
  const x = linearScale([xMin, xMax], [MARGIN, WIDTH - 10]);
  const y = linearScale([yLow - pad, yHigh + pad], [PLOT_HEIGHT - 20, 20]);
  return { xTrain, yTrain, xGrid, xMin, xMax, yLow, yHigh, x, y };
}

function regressionControls(model, { xMin, xMax }) {
  // the kernel, the bandwidth and the test point: {root, show(kernel, bandwidth, xTest)}
  const kernel = traitSelect(model, "kernel", model.get("choices").kernel);
  const bandwidth = logSlider(model, "bandwidth", { min: -1.5, max: 0.5 });
  const xTest = rangeControl({
    testid: "x-test", label: label(model, "test_point"), min: hundredths(xMin), max: hundredths(xMax), step: 0.01,
    value: model.get("x_test"), format: (v) => formatNumber(v, 2),
  });
  xTest.input.addEventListener("input", () => writeInputs(model, { x_test: xTest.read() }));
  const show = (kernelName, h, x0) => {
    kernel.input.value = kernelName;
    bandwidth.show(h);
    xTest.show(x0);
  };
  return { root: html("div", { class: "qkv-controls" }, [kernel.root, bandwidth.root, xTest.root]), show };
}

function fitPath({ xGrid, x, y }, grid) {
  // the fit as an SVG path, broken where no training point lies inside the kernel's support (no estimate there)
  let [path, pen] = ["", "M"];
  grid.predictions.forEach((p, i) => {
    if (grid.weights[i].some((w) => w > 0)) {
      path += `${pen}${x(xGrid[i]).toFixed(1)},${y(p).toFixed(1)} `;
      pen = "L";
    } else pen = "M";
  });
  return path;
}

function fitPlot(model, data) {
  // the data, the fit and the draggable test point: {root, showFit(grid), show(x0, prediction, weights)}
  const { xTrain, yTrain, xMin, xMax, yLow, yHigh, x, y } = data;
  const root = scalable(svg("svg", { width: WIDTH, height: PLOT_HEIGHT, "data-testid": "fit-plot" }));
  const inside = { x: MARGIN, y: 10, width: WIDTH - 10 - MARGIN, height: PLOT_HEIGHT - 30 };
  root.append(
    svg("rect", { ...inside, fill: "#fafafa", stroke: "#bbb" }),
    svg("line", { x1: x(xMin), x2: x(xMax), y1: y(0), y2: y(0), stroke: "#ccc" }),
    svg("text", { x: MARGIN + 4, y: 24, class: "qkv-title", text: label(model, "nw_fit") }),
    ...[xMin, (xMin + xMax) / 2, xMax].map((v) =>
      svg("text", { x: x(v), y: PLOT_HEIGHT - 6, class: "qkv-tick-x", text: formatNumber(v, 1) })),
    ...[yLow, yHigh].map((v) =>
      svg("text", { x: MARGIN - 4, y: y(v) + 4, class: "qkv-tick-y", text: formatNumber(v, 1) })),
  );
  const testLine = svg("line", { y1: 10, y2: PLOT_HEIGHT - 20, stroke: "#000", "stroke-dasharray": "4 3" });
  const fit = svg("path", { fill: "none", stroke: PALETTE[1], "stroke-width": 2.5 });
  const dots = xTrain.map((xi, i) =>
    svg("circle", { cx: x(xi), cy: y(yTrain[i]), fill: PALETTE[0], stroke: "#fff", "stroke-width": 1 }),
  );
  const testMark = svg("circle", { r: 6, fill: "#fff", stroke: "#000", "stroke-width": 2.5 });
  root.append(testLine, ...dots, fit, testMark);
  draggable(root, () => (event) => {
    const v = xMin + ((svgPoint(root, event)[0] - MARGIN) / inside.width) * (xMax - xMin);
    writeInputs(model, { x_test: hundredths(Math.min(Math.max(v, xMin), xMax)) });
  });
  const show = (x0, prediction, weights) => {
    const top = Math.max(...weights, 1e-12);
    setAttributes(testLine, { x1: x(x0), x2: x(x0) });
    const visibility = weights.some((w) => w > 0) ? "visible" : "hidden";
    setAttributes(testMark, { cx: x(x0), cy: y(prediction), visibility });
    dots.forEach((dot, i) => dot.setAttribute("r", 2.5 + 5 * (weights[i] / top)));
  };
  return { root, showFit: (grid) => fit.setAttribute("d", fitPath(data, grid)), show };
}

function fitLegend(model) {
  const t = (name) => label(model, name);
  return html("div", { class: "qkv-note" }, [
    html("span", { class: "qkv-swatch", style: `background:${PALETTE[0]}` }),
    `${t("training_points")}   `,
    html("span", { class: "qkv-swatch", style: `background:${PALETTE[1]}` }),
    `${t("nw_fit")}   ○ ${t("test_point")}`,
  ]);
}

function testWeightsPlot(model, { xTrain, xMin, xMax, x }) {
  // the test point's weight on each training point, as bars on the fit's x axis: {root, show(weights)}
  const root = scalable(svg("svg", { width: WIDTH, height: BAR_HEIGHT + 20, "data-testid": "test-weights" }));
  root.append(
    svg("line", { x1: x(xMin), x2: x(xMax), y1: BAR_HEIGHT, y2: BAR_HEIGHT, stroke: "#888" }),
    svg("text", { x: MARGIN + 4, y: 12, class: "qkv-title", text: label(model, "test_point_weights") }),
  );
  const bars = xTrain.map((xi) =>
    svg("line", { x1: x(xi), x2: x(xi), y1: BAR_HEIGHT, stroke: PALETTE[0], "stroke-width": 4 }));
  root.append(...bars);
  const show = (weights) => {
    const top = Math.max(...weights, 1e-12);
    bars.forEach((bar, i) => bar.setAttribute("y2", BAR_HEIGHT - (BAR_HEIGHT - 20) * (weights[i] / top)));
  };
  return { root, show };
}

function testReadout(model) {
  // the test point's prediction and largest weight, in words: {root, show(x0, prediction, weights)}
  const t = (name) => label(model, name);
  const root = html("div", { class: "qkv-readout", "data-testid": "readout" }); // spoken by the announcer
  const show = (x0, prediction, weights) => {
    const where = `${t("test_point")} x = ${formatNumber(x0, 2)}`;
    const largest = formatNumber(Math.max(...weights));
    const what = `${t("prediction")} ${formatNumber(prediction)}, ${t("max_weight")} ${largest}`;
    root.textContent = weights.some((w) => w > 0) ? `${where}: ${what}` : `${where}: ${t("no_support")}`;
  };
  return { root, show };
}

function gridHeatmap(model, { xTrain, xGrid }) {
  // every grid point's weights on the training points, painted on a canvas (too many cells for a screen reader to
  // step through: an image with a summary, whose outlined row is the test point's; testRow has that row cell by
  // cell): {root, update(weights), highlight(i, null)}
  const map = heatmap({
    numRows: xGrid.length,
    numCols: xTrain.length,
    cellSize: [Math.max(6, Math.floor(240 / xTrain.length)), Math.max(2, Math.floor(200 / xGrid.length))],
    rowLabels: xGrid.map((v) => formatNumber(v, 1)),
    colLabels: xTrain.map((_, j) => String(j)),
    xlabel: label(model, "training_points"),
    ylabel: label(model, "test_points"),
    title: label(model, "attention_weights"),
    focusable: false,
  });
  map.root.setAttribute("data-testid", "heatmap");
  map.root.setAttribute("aria-label", fillSlots(label(model, "heatmap_summary"), {
    rows: xGrid.length, cols: xTrain.length }));
  return map;
}

function testRow(model, { xTrain }) {
  // the test point's weights on the training points as one row of an ARIA grid, cells named "test point 2.50,
  // training point 7: attention weight 0.123": {root, show(x0, weights)}
  const t = (name) => label(model, name);
  let at = "";
  const row = weightRow({
    count: xTrain.length, name: t("test_point_row"),
    cellName: (j, w) => `${t("test_point")} ${at}, ${t("training_point")} ${j}: ${t("attention_weight")} ` +
      formatNumber(w),
  });
  const caption = html("p", { class: "qkv-note", text: t("test_point_row"), "aria-hidden": "true" });
  const show = (x0, weights) => {
    at = formatNumber(x0, 2);
    row.show(weights);
  };
  return { root: html("div", {}, [caption, row.root]), show };
}

function build(model, el) {
  const data = frame(model);
  const { xTrain, yTrain, xGrid } = data;
  const controls = regressionControls(model, data);
  const [plot, bars, readout, map, row] = [fitPlot(model, data), testWeightsPlot(model, data), testReadout(model),
    gridHeatmap(model, data), testRow(model, data)];
  const column = html("div", { class: "qkv-column" }, [plot.root, fitLegend(model), bars.root, readout.root]);
  const goal = challengeBox(model, "kernel_regression");
  const announce = announcer(el);
  const mapColumn = html("div", { class: "qkv-column" }, [map.root, row.root]);
  el.append(goal.root, controls.root, html("div", { class: "qkv-row" }, [column, mapColumn]));
  let [grid, drawn] = [null, ""]; // the fit on the grid, recomputed only when the kernel or the bandwidth changes
  return () => {
    const [kernel, bandwidth, x0] = INPUTS.map((name) => model.get(name));
    if (drawn !== `${kernel} ${bandwidth}`) {
      [grid, drawn] = [nadarayaWatson(xGrid, xTrain, yTrain, kernel, bandwidth), `${kernel} ${bandwidth}`];
      plot.showFit(grid);
      map.update(grid.weights);
    }
    const atTest = nadarayaWatson([x0], xTrain, yTrain, kernel, bandwidth);
    const [testWeights, testPrediction] = [atTest.weights[0], atTest.predictions[0]];
    controls.show(kernel, bandwidth, x0);
    plot.show(x0, testPrediction, testWeights);
    bars.show(testWeights);
    row.show(x0, testWeights);
    readout.show(x0, testPrediction, testWeights);
    announce(readout.root.textContent);
    const nearest = xGrid.reduce((best, v, i) => (Math.abs(v - x0) < Math.abs(xGrid[best] - x0) ? i : best), 0);
    map.highlight(nearest, null);
    const inputs = { kernel, bandwidth, x_test: x0, x_train: xTrain, y_train: yTrain, x_grid: xGrid };
    const test = { test_weights: testWeights, test_prediction: testPrediction };
    const solved = goal.show(CHALLENGES.KernelRegressionExplorer(inputs));
    return { ...inputs, predictions: grid.predictions, weights: grid.weights, ...test, challenge_solved: solved };
  };
}

export default widgetModule("KernelRegressionExplorer", ["x_train", "y_train", "x_grid"], INPUTS, build);
