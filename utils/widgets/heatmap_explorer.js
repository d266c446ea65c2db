// HeatmapExplorer: every query's attention weights over every key as a heatmap; a cell tells its numbers.
// Uses attention_math.js and ui.js (concatenated before this file by utils/widgets/_base.py).

const INPUTS = ["scoring", "temperature", "bandwidth"];

function build(model, el, offs) {
  const t = (name) => label(model, name);
  const queries = model.get("queries");
  const keyPoints = model.get("key_points");
  const [numQueries, numKeys] = [queries.length, keyPoints.length];
  let selected = [0, 0];

  const scoring = traitSelect(model, "scoring", SCORINGS);
  const temperature = logSlider(model, "temperature", { min: -2, max: 2 });
  const bandwidth = logSlider(model, "bandwidth", { min: -1, max: 1 });

  const readout = html("div", { class: "qkv-readout", "aria-live": "polite", "data-testid": "readout" });
  const cellSize = Math.max(16, Math.min(40, Math.floor(360 / Math.max(numQueries, numKeys))));
  const map = heatmap({
    numRows: numQueries,
    numCols: numKeys,
    cellSize: [cellSize, cellSize],
    rowLabels: queries.map((_, i) => String(i)),
    colLabels: keyPoints.map((_, j) => String(j)),
    xlabel: t("keys"),
    ylabel: t("queries"),
    title: t("attention_weights"),
    focusable: true,
    onSelect: (i, j) => {
      selected = [i, j];
      update();
    },
  });
  map.root.setAttribute("data-testid", "heatmap");
  el.append(html("div", { class: "qkv-controls" }, [scoring.root, temperature.root, bandwidth.root]), map.root, readout);

  function update() {
    const [scoringName, T, h] = INPUTS.map((name) => model.get(name));
    const scores = attentionScores(queries, keyPoints, scoringName, h);
    const weights = scores.map((row) => softmax(row, T));
    scoring.input.value = scoringName;
    temperature.show(T);
    bandwidth.show(h);
    bandwidth.input.disabled = !["gaussian", "boxcar", "epanechnikov"].includes(scoringName);
    map.update(weights);
    const [i, j] = selected;
    map.highlight(i, j);
    readout.textContent =
      `${t("query")} ${i}, ${t("key")} ${j}: ${t("score")} ${formatNumber(scores[i][j])}, ` +
      `${t("attention_weight")} ${formatNumber(weights[i][j])}`;
    setState(el, {
      scoring: scoringName,
      temperature: T,
      bandwidth: h,
      queries,
      key_points: keyPoints,
      scores,
      weights,
      selected,
    });
  }
  listen(model, INPUTS, update, offs);
  update();
}

export default widgetModule("HeatmapExplorer", ["queries", "key_points"], build);
