// ProjectionExplorer: self-attention of a short sentence through the projections W_q, W_k, W_v, W_o and a few
// heads; pick a query token and a head. Uses attention_math.js and ui.js (concatenated before this file).

const INPUTS = ["token", "head"];

function build(model, el, offs) {
  const t = (name) => label(model, name);
  const tokens = model.get("tokens");
  const numHeads = model.get("num_heads");
  const X = model.get("embeddings");
  const W = ["W_q", "W_k", "W_v", "W_o"].map((name) => model.get(name));
  // everything depends only on the data traits, so the attention is computed once per build
  const { weights, output } = multiHeadAttention(X, X, X, ...W, numHeads);

  const token = selectControl({
    testid: "token",
    label: t("query_token"),
    options: tokens.map((word, i) => [i, `${i}: ${word}`]),
    value: model.get("token"),
  });
  token.input.addEventListener("change", () => writeInputs(model, { token: Number(token.input.value) }));
  const head = selectControl({
    testid: "head",
    label: t("head"),
    options: weights.map((_, h) => [h, `${t("head")} ${h + 1}`]),
    value: model.get("head"),
  });
  head.input.addEventListener("change", () => writeInputs(model, { head: Number(head.input.value) }));
  const chips = tokens.map((word, i) =>
    button({ testid: `token-button-${i}`, label: word, onclick: () => writeInputs(model, { token: i }) }),
  );

  const caption = html("p", { class: "qkv-title", "data-testid": "caption" });
  const rows = tokens.map((word) => {
    const bar = weightBar();
    const cells = [html("td", {}, [bar.node]), html("td", { class: "qkv-num" })];
    return { node: html("tr", {}, [html("th", { scope: "row", text: word }), ...cells]), cells, bar };
  });
  const table = html("table", { "data-testid": "weights-table" }, [
    html("thead", {}, [html("tr", {}, [t("key"), t("attention_weight"), ""].map((h) => html("th", { text: h })))]),
    html("tbody", {}, rows.map((row) => row.node)),
  ]);
  const readout = html("div", { class: "qkv-readout", "aria-live": "polite", "data-testid": "readout" });
  const map = heatmap({
    numRows: tokens.length,
    numCols: tokens.length,
    cellSize: [30, 30],
    rowLabels: tokens,
    colLabels: tokens,
    xlabel: t("keys"),
    ylabel: t("queries"),
    title: t("attention_weights"),
    focusable: true,
    onSelect: (i, j, clicked) => {
      const h = model.get("head");
      readout.textContent = `${t("query")} ${tokens[i]} → ${t("key")} ${tokens[j]}: ${formatNumber(weights[h][i][j])}`;
      if (clicked) writeInputs(model, { token: i });
    },
  });
  map.root.setAttribute("data-testid", "heatmap");

  el.append(
    html("div", { class: "qkv-controls" }, [token.root, head.root]),
    html("div", { class: "qkv-controls", role: "group", "aria-label": t("sentence") }, chips),
    html("div", { class: "qkv-row" }, [html("div", {}, [caption, table]), html("div", {}, [map.root, readout])]),
    html("p", { class: "qkv-note", text: t("projection_note") }),
  );

  function update() {
    const [i, h] = INPUTS.map((name) => model.get(name));
    token.input.value = String(i);
    head.input.value = String(h);
    chips.forEach((chip, k) => chip.setAttribute("aria-pressed", String(k === i)));
    caption.textContent = `${t("weights_of")} “${tokens[i]}” (${t("head")} ${h + 1})`;
    rows.forEach(({ cells, bar }, j) => {
      bar.show(weights[h][i][j], PALETTE[h % PALETTE.length]);
      cells[1].textContent = formatNumber(weights[h][i][j]);
    });
    map.update(weights[h]);
    map.highlight(i, null);
    setState(el, {
      tokens,
      num_heads: numHeads,
      seed: model.get("seed"),
      token: i,
      head: h,
      weights: weights[h][i],
      matrix: weights[h],
      output: output[i],
    });
  }
  listen(model, INPUTS, update, offs);
  update();
}

const DATA = ["tokens", "num_heads", "embeddings", "W_q", "W_k", "W_v", "W_o"];
export default widgetModule("ProjectionExplorer", DATA, build);
