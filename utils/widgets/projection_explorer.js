// ProjectionExplorer: self-attention of a short sentence through the projections W_q, W_k, W_v, W_o and a few
// heads; pick a query token and a head. Uses attention_math.js and ui.js (concatenated before this file).

const INPUTS = ["token", "head"];
const DATA = ["tokens", "num_heads", "embeddings", "W_q", "W_k", "W_v", "W_o"];

function tokenControls(model) {
  // the query token and the head (two selects), and one button per token: {root, show(token, head)}
  const t = (name) => label(model, name);
  const tokens = model.get("tokens");
  const token = selectControl({
    testid: "token", label: t("query_token"), options: tokens.map((word, i) => [i, `${i}: ${word}`]),
    value: model.get("token"),
  });
  token.input.addEventListener("change", () => writeInputs(model, { token: Number(token.input.value) }));
  const heads = Array.from({ length: model.get("num_heads") }, (_, h) => [h, `${t("head")} ${h + 1}`]);
  const head = selectControl({ testid: "head", label: t("head"), options: heads, value: model.get("head") });
  head.input.addEventListener("change", () => writeInputs(model, { head: Number(head.input.value) }));
  const chips = tokens.map((word, i) =>
    button({ testid: `token-button-${i}`, label: word, onclick: () => writeInputs(model, { token: i }) }),
  );
  const show = (i, h) => {
    token.input.value = String(i);
    head.input.value = String(h);
    chips.forEach((chip, k) => chip.setAttribute("aria-pressed", String(k === i)));
  };
  const root = [
    html("div", { class: "qkv-controls" }, [token.root, head.root]),
    html("div", { class: "qkv-controls", role: "group", "aria-label": t("sentence") }, chips),
  ];
  return { root, show };
}

function tokenWeightsTable(model) {
  // the query token's weight on every token, with a caption: {root, show(token, head, weights)}
  const t = (name) => label(model, name);
  const tokens = model.get("tokens");
  const caption = html("p", { class: "qkv-title", "data-testid": "caption" });
  const rows = tokens.map((word) => {
    const bar = weightBar();
    const cells = [html("td", {}, [bar.node]), html("td", { class: "qkv-num" })];
    return { node: html("tr", {}, [html("th", { scope: "row", text: word }), ...cells]), cells, bar };
  });
  const table = html("table", { "data-testid": "weights-table" }, [
    tableHead([t("key"), t("attention_weight")]),
    html("tbody", {}, rows.map((row) => row.node)),
  ]);
  const show = (i, h, weights) => {
    caption.textContent = `${t("weights_of")} “${tokens[i]}” (${t("head")} ${h + 1})`;
    rows.forEach(({ cells, bar }, j) => {
      bar.show(weights[j], PALETTE[h % PALETTE.length]);
      cells[1].textContent = formatNumber(weights[j]);
    });
  };
  return { root: html("div", {}, [caption, table]), show };
}

function headHeatmap(model, weights) {
  // one head's weights, token by token; a cell tells its weight, a click picks its query: {root, show(head, token)}
  const t = (name) => label(model, name);
  const tokens = model.get("tokens");
  const readout = html("div", { class: "qkv-readout", "data-testid": "readout" }); // a focused cell speaks its name
  let pointed = null; // the cell last hovered or focused: its readout follows the head on display
  const read = () => {
    if (!pointed) return;
    const [i, j] = pointed;
    const weight = formatNumber(weights[model.get("head")][i][j]);
    readout.textContent = `${t("query")} ${tokens[i]} → ${t("key")} ${tokens[j]}: ${weight}`;
  };
  const map = heatmap({
    numRows: tokens.length, numCols: tokens.length, cellSize: [30, 30], rowLabels: tokens, colLabels: tokens,
    xlabel: t("keys"), ylabel: t("queries"), title: t("attention_weights"), focusable: true,
    cellNames: [t("query"), t("key"), t("attention_weight")],
    onSelect: (i, j, clicked) => {
      pointed = [i, j];
      read();
      if (clicked) writeInputs(model, { token: i });
    },
  });
  map.root.setAttribute("data-testid", "heatmap");
  const show = (h, i) => {
    map.update(weights[h]);
    map.highlight(i, null);
    read();
  };
  return { root: html("div", {}, [map.root, readout]), show };
}

function build(model, el) {
  const X = model.get("embeddings");
  const W = ["W_q", "W_k", "W_v", "W_o"].map((name) => model.get(name));
  // everything depends only on the data traits, so the attention is computed once per build
  const { weights, output } = multiHeadAttention(X, X, X, ...W, model.get("num_heads"));
  const [controls, table, map] = [tokenControls(model), tokenWeightsTable(model), headHeatmap(model, weights)];
  const goal = challengeBox(model, "projection");
  const announce = announcer(el);
  el.append(
    goal.root,
    ...controls.root,
    html("div", { class: "qkv-row" }, [table.root, map.root]),
    html("p", { class: "qkv-note", text: label(model, "projection_note") }),
  );
  return () => {
    const [i, h] = INPUTS.map((name) => model.get(name));
    controls.show(i, h);
    const data = Object.fromEntries(DATA.map((name) => [name, model.get(name)]));
    const solved = goal.show(CHALLENGES.ProjectionExplorer({ ...data, token: i, head: h }));
    table.show(i, h, weights[h][i]);
    map.show(h, i);
    const caption = `“${model.get("tokens")[i]}” (${label(model, "head")} ${h + 1})`;
    announce(`${caption}: ${largestHeadline(model, model.get("tokens"), weights[h][i])}`);
    return { tokens: model.get("tokens"), num_heads: model.get("num_heads"), seed: model.get("seed"), token: i, head: h,
      weights: weights[h][i], matrix: weights[h], output: output[i], challenge_solved: solved };
  };
}

export default widgetModule("ProjectionExplorer", DATA, INPUTS, build);
