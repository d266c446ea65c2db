// KernelRegressionExplorer: Nadaraya–Watson regression with a kernel and a bandwidth, and one movable test point.
// Uses attention_math.js and ui.js (concatenated before this file by utils/widgets/_base.py).

const INPUTS = ["kernel", "bandwidth", "x_test"];
const [WIDTH, PLOT_HEIGHT, BAR_HEIGHT, MARGIN] = [440, 210, 70, 36];

function build(model, el, offs) {
  const t = (name) => label(model, name);
  const [xTrain, yTrain, xGrid] = ["x_train", "y_train", "x_grid"].map((name) => model.get(name));
  const [xMin, xMax] = [Math.min(...xGrid, ...xTrain), Math.max(...xGrid, ...xTrain)];
  const [yLow, yHigh] = [Math.min(0, ...yTrain), Math.max(0, ...yTrain)];
  const pad = 0.08 * (yHigh - yLow || 1);
  const x = linearScale([xMin, xMax], [MARGIN, WIDTH - 10]);
  const y = linearScale([yLow - pad, yHigh + pad], [PLOT_HEIGHT - 20, 20]);
  const round = (v) => Math.round(v * 100) / 100;

  const kernel = traitSelect(model, "kernel", ["gaussian", "boxcar", "epanechnikov"]);
  const bandwidth = logSlider(model, "bandwidth", { min: -1.5, max: 0.5 });
  const xTest = rangeControl({
    testid: "x-test",
    label: t("test_point"),
    min: round(xMin),
    max: round(xMax),
    step: 0.01,
    value: model.get("x_test"),
    format: (v) => formatNumber(v, 2),
  });
  xTest.input.addEventListener("input", () => writeInputs(model, { x_test: xTest.read() }));

  // the data, the fit and the test point
  const plot = svg("svg", { width: WIDTH, height: PLOT_HEIGHT, class: "qkv-draggable", "data-testid": "fit-plot" });
  plot.append(
    svg("rect", { x: MARGIN, y: 10, width: WIDTH - 10 - MARGIN, height: PLOT_HEIGHT - 30, fill: "#fafafa", stroke: "#bbb" }),
    svg("line", { x1: x(xMin), x2: x(xMax), y1: y(0), y2: y(0), stroke: "#ccc" }),
    svg("text", { x: MARGIN + 4, y: 24, class: "qkv-title", text: t("nw_fit") }),
  );
  [xMin, (xMin + xMax) / 2, xMax].forEach((v) =>
    plot.append(svg("text", { x: x(v), y: PLOT_HEIGHT - 6, class: "qkv-tick-x", text: formatNumber(v, 1) })),
  );
  [yLow, yHigh].forEach((v) =>
    plot.append(svg("text", { x: MARGIN - 4, y: y(v) + 4, class: "qkv-tick-y", text: formatNumber(v, 1) })),
  );
  const testLine = svg("line", { y1: 10, y2: PLOT_HEIGHT - 20, stroke: "#000", "stroke-dasharray": "4 3" });
  const fit = svg("path", { fill: "none", stroke: PALETTE[1], "stroke-width": 2.5 });
  const dots = xTrain.map((xi, i) =>
    svg("circle", { cx: x(xi), cy: y(yTrain[i]), fill: PALETTE[0], stroke: "#fff", "stroke-width": 1 }),
  );
  const testMark = svg("circle", { r: 6, fill: "#fff", stroke: "#000", "stroke-width": 2.5 });
  plot.append(testLine, ...dots, fit, testMark);
  const legend = html("div", { class: "qkv-note" }, [
    html("span", { class: "qkv-swatch", style: `background:${PALETTE[0]}` }),
    `${t("training_points")}   `,
    html("span", { class: "qkv-swatch", style: `background:${PALETTE[1]}` }),
    `${t("nw_fit")}   ○ ${t("test_point")}`,
  ]);
  const moveTest = (event) => {
    const box = plot.getBoundingClientRect();
    const v = xMin + ((event.clientX - box.left - MARGIN) / (WIDTH - 10 - MARGIN)) * (xMax - xMin);
    writeInputs(model, { x_test: round(Math.min(Math.max(v, xMin), xMax)) });
  };
  plot.addEventListener("pointerdown", (event) => {
    event.preventDefault(); // no text selection while dragging
    plot.setPointerCapture(event.pointerId);
    moveTest(event);
  });
  plot.addEventListener("pointermove", (event) => {
    if (plot.hasPointerCapture(event.pointerId)) moveTest(event);
  });

  // the test point's weight on each training point, on the same x axis
  const weightsPlot = svg("svg", { width: WIDTH, height: BAR_HEIGHT + 20, "data-testid": "test-weights" });
  const barBase = BAR_HEIGHT;
  weightsPlot.append(
    svg("line", { x1: x(xMin), x2: x(xMax), y1: barBase, y2: barBase, stroke: "#888" }),
    svg("text", { x: MARGIN + 4, y: 12, class: "qkv-title", text: t("test_point_weights") }),
  );
  const bars = xTrain.map((xi) => svg("line", { x1: x(xi), x2: x(xi), y1: barBase, stroke: PALETTE[0], "stroke-width": 4 }));
  weightsPlot.append(...bars);
  const weightsText = html("div", { class: "qkv-readout", "aria-live": "polite", "data-testid": "readout" });

  const map = heatmap({
    numRows: xGrid.length,
    numCols: xTrain.length,
    cellSize: [Math.max(6, Math.floor(240 / xTrain.length)), Math.max(2, Math.floor(200 / xGrid.length))],
    rowLabels: xGrid.map((v) => formatNumber(v, 1)),
    colLabels: xTrain.map((_, j) => String(j)),
    xlabel: t("training_points"),
    ylabel: t("test_points"),
    title: t("attention_weights"),
    focusable: false,
  });
  map.root.setAttribute("data-testid", "heatmap");

  el.append(
    html("div", { class: "qkv-controls" }, [kernel.root, bandwidth.root, xTest.root]),
    html("div", { class: "qkv-row" }, [html("div", {}, [plot, legend, weightsPlot, weightsText]), map.root]),
  );

  let grid = null; // the fit on the grid, recomputed only when the kernel or the bandwidth changes
  let drawn = "";
  function update() {
    const [kernelName, h, x0] = INPUTS.map((name) => model.get(name));
    const gridChanged = drawn !== `${kernelName} ${h}`;
    if (gridChanged) {
      grid = nadarayaWatson(xGrid, xTrain, yTrain, kernelName, h);
      drawn = `${kernelName} ${h}`;
    }
    const test = nadarayaWatson([x0], xTrain, yTrain, kernelName, h);
    const [testWeights, testPrediction] = [test.weights[0], test.predictions[0]];
    kernel.input.value = kernelName;
    bandwidth.show(h);
    xTest.show(x0);
    if (gridChanged) {
      // the fit, broken where no training point lies inside the kernel's support (no estimate there)
      let path = "";
      let pen = "M";
      grid.predictions.forEach((p, i) => {
        if (grid.weights[i].some((w) => w > 0)) {
          path += `${pen}${x(xGrid[i]).toFixed(1)},${y(p).toFixed(1)} `;
          pen = "L";
        } else pen = "M";
      });
      fit.setAttribute("d", path);
      map.update(grid.weights);
    }
    const defined = testWeights.some((w) => w > 0);
    setAttributes(testLine, { x1: x(x0), x2: x(x0) });
    setAttributes(testMark, { cx: x(x0), cy: y(testPrediction), visibility: defined ? "visible" : "hidden" });
    const top = Math.max(...testWeights, 1e-12);
    dots.forEach((dot, i) => dot.setAttribute("r", 2.5 + 5 * (testWeights[i] / top)));
    bars.forEach((bar, i) => bar.setAttribute("y2", barBase - (BAR_HEIGHT - 20) * (testWeights[i] / top)));
    weightsText.textContent = defined
      ? `${t("test_point")} x = ${formatNumber(x0, 2)}: ${t("prediction")} ${formatNumber(testPrediction)}, ` +
        `${t("max_weight")} ${formatNumber(Math.max(...testWeights))}`
      : `${t("test_point")} x = ${formatNumber(x0, 2)}: ${t("no_support")}`;
    let nearest = 0;
    xGrid.forEach((v, i) => {
      if (Math.abs(v - x0) < Math.abs(xGrid[nearest] - x0)) nearest = i;
    });
    map.highlight(nearest, null);
    setState(el, {
      kernel: kernelName,
      bandwidth: h,
      x_test: x0,
      x_train: xTrain,
      y_train: yTrain,
      x_grid: xGrid,
      predictions: grid.predictions,
      weights: grid.weights,
      test_weights: testWeights,
      test_prediction: testPrediction,
    });
  }
  listen(model, INPUTS, update, offs);
  update();
}

export default widgetModule("KernelRegressionExplorer", ["x_train", "y_train", "x_grid"], build);
