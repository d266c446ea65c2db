// HeatmapExplorer: every query's attention weights over every key as a heatmap; a cell tells its numbers.
// Uses attention_math.js and ui.js (concatenated before this file by utils/widgets/_base.py).

const INPUTS = ["scoring", "temperature", "bandwidth"];

function build(model, el, redraw) {
  const t = (name) => label(model, name);
  const [queries, keyPoints] = [model.get("queries"), model.get("key_points")];
  const controls = scoringControls(model);
  const readout = html("div", { class: "qkv-readout", "data-testid": "readout" }); // spoken by the announcer
  const announce = announcer(el);
  const cellSize = Math.max(16, Math.min(40, Math.floor(360 / Math.max(queries.length, keyPoints.length))));
  let selected = [0, 0];
  const map = heatmap({
    numRows: queries.length,
    numCols: keyPoints.length,
    cellSize: [cellSize, cellSize],
    rowLabels: queries.map((_, i) => String(i)),
    colLabels: keyPoints.map((_, j) => String(j)),
    xlabel: t("keys"),
    ylabel: t("queries"),
    title: t("attention_weights"),
    focusable: true,
    cellNames: [t("query"), t("key"), t("attention_weight")],
    onSelect: (i, j) => {
      selected = [i, j];
      redraw();
    },
  });
  map.root.setAttribute("data-testid", "heatmap");
  const goal = challengeBox(model, "heatmap");
  el.append(goal.root, controls.root, map.root, readout);
  return () => {
    const state = Object.fromEntries(INPUTS.map((name) => [name, model.get(name)]));
    const scores = attentionScores(queries, keyPoints, state.scoring, state.bandwidth);
    const weights = scores.map((row) => softmax(row, state.temperature));
    const [i, j] = selected;
    controls.show(state);
    map.update(weights);
    map.highlight(i, j);
    readout.textContent =
      `${t("query")} ${i}, ${t("key")} ${j}: ${t("score")} ${formatNumber(scores[i][j])}, ` +
      `${t("attention_weight")} ${formatNumber(weights[i][j])}`;
    announce(readout.textContent);
    const solved = goal.show(CHALLENGES.HeatmapExplorer({ ...state, queries, key_points: keyPoints }));
    return { ...state, queries, key_points: keyPoints, scores, weights, selected, challenge_solved: solved };
  };
}

export default widgetModule("HeatmapExplorer", ["queries", "key_points"], INPUTS, build);
