// ProjectionExplorer: self-attention through the projections W_q, W_k, W_v, W_o and a few heads; pick a query
// position and a head and see the numbers: the query, each key, q·k, ÷√d_k, the softmax weights and the weighted sum
// of the values. With a model (the `models` trait: the trained and the untrained parameters of a TinyTransformer),
// the reader edits the input sequence and switches the parameters, and the causal layer's forward pass runs here.
// Uses attention_math.js and ui.js (concatenated before this file).

const INPUTS = ["token", "head", "parameters", "sequence"];
const DATA = ["tokens", "num_heads", "embeddings", "W_q", "W_k", "W_v", "W_o", "models", "slots"];

function attentionBreakdown(X, Wq, Wk, Wv, Wo, numHeads, mask = null) {
  // X (n, d) -> {heads, output}: per head, q, k, v (n, d_head), dots and scaled (n, n), weights (n, n) and out
  // (n, d_head); output (n, d_out) = concatenated outs @ Wo. Mirrors utils.multi_head_attention(X, X, X, ..., mask):
  // mask[i][j] false means query i does not see key j (weight 0)
  const [Q, K, V] = [Wq, Wk, Wv].map((W) => matmul(X, W));
  const split = (Z, h) => Z.map((row) => row.slice((h * row.length) / numHeads, ((h + 1) * row.length) / numHeads));
  const heads = [];
  for (let h = 0; h < numHeads; h++) {
    const [q, k, v] = [split(Q, h), split(K, h), split(V, h)];
    const dots = dotProductScores(q, k);
    const scale = Math.sqrt(q[0].length);
    const scaled = dots.map((row) => row.map((s) => s / scale));
    const weights = scaled.map((row, i) => softmax(row, 1, mask ? mask[i] : null));
    heads.push({ q, k, v, dots, scaled, weights, out: matmul(weights, v) });
  }
  const concat = X.map((_, i) => heads.flatMap((head) => head.out[i]));
  return { heads, output: matmul(concat, Wo) };
}

function tinyForward(state, ids) {
  // utils.TinyTransformer's forward pass for one sequence: ids [[token id per slot] per position] ->
  // {heads, output (n, d), logits (n, vocab)}; x = Σ slot embeddings + position embedding, causal attention,
  // logits = (x + attention(x)) @ W_out + b_out
  const w = state.weights;
  const x = ids.map((slots, i) =>
    w.position_embedding[i].map((p, c) => slots.reduce((sum, id) => sum + w.token_embedding[id][c], 0) + p),
  );
  const causal = ids.map((_row, i) => ids.map((_column, j) => j <= i));
  const { heads, output } = attentionBreakdown(x, w.W_q, w.W_k, w.W_v, w.W_o, state.config.num_heads, causal);
  const residual = x.map((row, i) => row.map((value, c) => value + output[i][c]));
  const logits = matmul(residual, w.W_out).map((row) => row.map((value, c) => value + w.b_out[c]));
  return { heads, output, logits };
}

function parseSequence(text, vocab, slots, maxLen) {
  // the reader's text -> {sequence: [[name, ...] per position]} or {error: [label name, {placeholder: value}]};
  // positions are separated by commas (with one token per position, spaces also separate them)
  const positions = text
    .split(slots === 1 ? /[\s,]+/ : ",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => part.split(/\s+/));
  if (positions.length === 0) return { error: ["seq_empty", {}] };
  const unknown = positions.flat().find((name) => !vocab.includes(name));
  if (unknown !== undefined) return { error: ["seq_unknown", { token: unknown }] };
  if (positions.length > maxLen) return { error: ["seq_too_long", { count: positions.length, max: maxLen }] };
  const wrong = positions.findIndex((position) => position.length !== slots);
  if (wrong >= 0) {
    return { error: ["seq_format", { position: wrong + 1, got: positions[wrong].length, slots }] };
  }
  return { sequence: positions };
}

function fill(template, values) {
  // "{name}" placeholders of a label -> values
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

function vectorText(vector) {
  return `[${vector.map((x) => formatNumber(x, 2)).join(" ")}]`;
}

function appendToken(text, name, slots) {
  // the text with `name` added: to the last position if it is not full, else as a new position
  const last = text.split(",").pop().trim();
  const full = last === "" || last.split(/\s+/).length >= slots;
  const separator = text.trim() === "" ? "" : full ? ", " : " ";
  return `${text.trim()}${separator}${name}`;
}

function sequenceEditor(model, t) {
  // the text field, the vocabulary buttons and the message: {root, show(sequence)}; a valid sequence is written
  // with the query at its last position, an invalid one only gets a message (the previous sequence stays)
  const vocab = model.get("tokens");
  const [slots, maxLen] = [model.get("slots"), model.get("models").trained.config.max_len];
  const input = html("input", { type: "text", "data-testid": "sequence-text", spellcheck: "false", autocomplete: "off",
    size: 40 });
  const message = html("p", { class: "qkv-note", role: "status", "data-testid": "message" });
  const apply = () => {
    const parsed = parseSequence(input.value, vocab, slots, maxLen);
    if (parsed.error) {
      const [name, values] = parsed.error;
      message.textContent = `${fill(t(name), values)} ${t("seq_kept")}`;
      return;
    }
    message.textContent = "";
    writeInputs(model, { sequence: parsed.sequence, token: parsed.sequence.length - 1 });
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") apply();
  });
  const append = (name) => {
    input.value = appendToken(input.value, name, slots);
    apply();
  };
  const buttons = vocab.map((name, i) => button({ testid: `vocab-${i}`, label: name, onclick: () => append(name) }));
  const edits = [
    button({ testid: "sequence-apply", label: t("run"), onclick: apply }),
    button({ testid: "sequence-clear", label: t("clear"), onclick: () => {
      input.value = "";
      message.textContent = "";
    } }),
  ];
  const root = html("div", {}, [
    html("div", { class: "qkv-controls" }, [control(t("sequence_input"), input), ...edits]),
    html("div", { class: "qkv-controls", role: "group", "aria-label": t("add_token") }, buttons),
    message,
  ]);
  let shown = null;
  const show = (sequence) => {
    const key = JSON.stringify(sequence);
    if (key === shown) return;
    shown = key;
    input.value = sequence.map((position) => position.join(" ")).join(", ");
    message.textContent = "";
  };
  return { root, show };
}

function positionControls(model, t, names) {
  // the query position (a select and one button per position): {root, show(token)}
  const token = selectControl({
    testid: "token", label: t("query_token"), options: names.map((name, i) => [i, `${i}: ${name}`]), value: 0,
  });
  token.input.addEventListener("change", () => writeInputs(model, { token: Number(token.input.value) }));
  const chips = names.map((name, i) =>
    button({ testid: `token-button-${i}`, label: name, onclick: () => writeInputs(model, { token: i }) }),
  );
  const show = (i) => {
    token.input.value = String(i);
    chips.forEach((chip, k) => chip.setAttribute("aria-pressed", String(k === i)));
  };
  const root = [token.root, html("div", { class: "qkv-controls", role: "group", "aria-label": t("sentence") }, chips)];
  return { root, show };
}

function breakdownTable(t, names) {
  // for one query and head: the query vector; per key, k, q·k, ÷√d_k, the weight and v; the weighted sum of the
  // values: {root, show(i, h, head)}
  const caption = html("p", { class: "qkv-title", "data-testid": "caption" });
  const query = html("p", { class: "qkv-note", "data-testid": "query-vector" });
  const sum = html("p", { class: "qkv-note", "data-testid": "head-output" });
  const vec = () => html("td", { class: "qkv-vec" });
  const rows = names.map((name) => {
    const bar = weightBar();
    const cells = [vec(), html("td", { class: "qkv-num" }), html("td", { class: "qkv-num" }),
      html("td", {}, [bar.node]), html("td", { class: "qkv-num" }), vec()];
    return { node: html("tr", {}, [html("th", { scope: "row", text: name }), ...cells]), cells, bar };
  });
  const headers = [t("key"), `${t("key_short")}`, `${t("query_short")}·${t("key_short")}`, "÷ √d_k",
    t("attention_weight"), t("value_short")]; // the weight's header covers its bar and its number
  const table = html("table", { "data-testid": "weights-table" }, [
    html("thead", {}, [html("tr", {}, headers.map((text, k) =>
      html("th", { text, scope: "col", colspan: k === 4 ? 2 : undefined })))]),
    html("tbody", {}, rows.map((row) => row.node)),
  ]);
  const show = (i, h, head, causal) => {
    caption.textContent = `${t("weights_of")} “${names[i]}” (${t("head")} ${h + 1})`;
    query.textContent = `${t("query_vector")} = ${vectorText(head.q[i])}`;
    rows.forEach(({ cells, bar }, j) => {
      const masked = causal && j > i; // a later position: the mask sets its weight to 0 whatever its score
      cells[0].textContent = vectorText(head.k[j]);
      cells[1].textContent = formatNumber(head.dots[i][j]);
      cells[2].textContent = formatNumber(head.scaled[i][j]);
      bar.show(head.weights[i][j], PALETTE[h % PALETTE.length]);
      cells[3].replaceChildren(masked ? t("masked") : bar.node);
      cells[4].textContent = formatNumber(head.weights[i][j]);
      cells[5].textContent = vectorText(head.v[j]);
    });
    sum.textContent = `${t("weighted_sum")} = ${vectorText(head.out[i])}`;
  };
  return { root: html("div", {}, [caption, query, table, sum]), show };
}

function headHeatmap(model, t, names) {
  // one head's weights, position by position; a cell tells its weight, a click picks its query:
  // {root, show(head, token, matrix)}; the readout always tells the current numbers
  const readout = html("div", { class: "qkv-readout", "data-testid": "readout" }); // a focused cell speaks its name
  let [matrix, pointed] = [null, null];
  const tell = () => {
    if (!pointed) return;
    const [i, j] = pointed;
    readout.textContent = `${t("query")} ${names[i]} → ${t("key")} ${names[j]}: ${formatNumber(matrix[i][j])}`;
  };
  const map = heatmap({
    numRows: names.length, numCols: names.length, cellSize: [30, 30], rowLabels: names, colLabels: names,
    xlabel: t("keys"), ylabel: t("queries"), title: t("attention_weights"), focusable: true,
    cellNames: [t("query"), t("key"), t("attention_weight")],
    onSelect: (i, j, clicked) => {
      pointed = [i, j];
      tell();
      if (clicked) writeInputs(model, { token: i });
    },
  });
  map.root.setAttribute("data-testid", "heatmap");
  const show = (h, i, weights) => {
    matrix = weights;
    map.update(weights);
    map.highlight(i, null);
    tell();
  };
  return { root: html("div", {}, [map.root, readout]), show };
}

function topControls(model, t, trained) {
  // the parameters (with a model) and the head: {root, show(head, parameters)}
  const heads = Array.from({ length: model.get("num_heads") }, (_, h) => [h, `${t("head")} ${h + 1}`]);
  const head = selectControl({ testid: "head", label: t("head"), options: heads, value: model.get("head") });
  head.input.addEventListener("change", () => writeInputs(model, { head: Number(head.input.value) }));
  const parameters = trained ? traitSelect(model, "parameters", model.get("choices").parameters) : null;
  const show = (h, chosen) => {
    head.input.value = String(h);
    if (parameters) parameters.input.value = chosen;
  };
  const controls = parameters ? [parameters.root, head.root] : [head.root];
  return { root: html("div", { class: "qkv-controls" }, controls), show };
}

function sequenceParts(model, t, body) {
  // the parts that depend on the sequence (positions, table, heatmap), rebuilt in `body` when it changes:
  // partsFor(names) -> {controls, table, map}
  let [parts, partsKey] = [null, null];
  return (names) => {
    const key = JSON.stringify(names);
    if (key !== partsKey) {
      partsKey = key;
      parts = { controls: positionControls(model, t, names), table: breakdownTable(t, names),
        map: headHeatmap(model, t, names) };
      body.replaceChildren(html("div", { class: "qkv-controls" }, parts.controls.root),
        html("div", { class: "qkv-row" }, [parts.table.root, parts.map.root]));
    }
    return parts;
  };
}

function answerLine(t, vocab) {
  // the model's most probable token at a position and its probability: {root, show(logits) -> token}
  const root = html("p", { class: "qkv-title", "data-testid": "answer" });
  const show = (logits) => {
    const probabilities = softmax(logits);
    const best = probabilities.indexOf(Math.max(...probabilities));
    root.textContent = `${t("answer")}: ${vocab[best]} (${t("probability")} ${formatNumber(probabilities[best])})`;
    return vocab[best];
  };
  return { root, show };
}

function build(model, el) {
  const t = (name) => label(model, name);
  const [models, vocab] = [model.get("models"), model.get("tokens")];
  const trained = Object.keys(models).length > 0;
  const top = topControls(model, t, trained);
  const editor = trained ? sequenceEditor(model, t) : null;
  const answer = trained ? answerLine(t, vocab) : null;
  const body = html("div");
  const goal = challengeBox(model, trained ? "projection_model" : "projection");
  const announce = announcer(el);
  el.append(goal.root, top.root, ...(editor ? [editor.root] : []), body, ...(answer ? [answer.root] : []),
    html("p", { class: "qkv-note", text: t(trained ? "model_note" : "projection_note") }));
  const partsFor = sequenceParts(model, t, body);
  const toy = trained ? null : attentionBreakdown(model.get("embeddings"), ...["W_q", "W_k", "W_v", "W_o"].map(
    (name) => model.get(name)), model.get("num_heads"));
  return () => {
    // the attention is recomputed on every change of an input
    const [token, h, chosen, sequence] = INPUTS.map((name) => model.get(name));
    const names = trained ? sequence.map((position) => position.join(" ")) : vocab;
    const parts = partsFor(names);
    const forward = trained
      ? tinyForward(models[chosen], sequence.map((position) => position.map((name) => vocab.indexOf(name))))
      : toy;
    const [i, one] = [Math.min(token, names.length - 1), forward.heads[h]];
    top.show(h, chosen);
    parts.controls.show(i);
    parts.table.show(i, h, one, trained);
    parts.map.show(h, i, one.weights);
    const state = { mode: trained ? "model" : "toy", num_heads: model.get("num_heads"), token: i, head: h,
      weights: one.weights[i], matrix: one.weights, q: one.q[i], keys: one.k, values: one.v, dots: one.dots[i],
      scaled: one.scaled[i], head_output: one.out[i], output: forward.output[i] };
    announce(`“${names[i]}” (${t("head")} ${h + 1}): ${largestHeadline(model, names, one.weights[i])}`);
    const met = CHALLENGES.ProjectionExplorer({ matrix: one.weights, token: i, trained, parameters: chosen, sequence });
    state.challenge_solved = goal.show(met);
    if (!trained) return { ...state, tokens: vocab, seed: model.get("seed") };
    editor.show(sequence);
    return { ...state, parameters: chosen, vocab, sequence, logits: forward.logits[i], answer: answer.show(
      forward.logits[i]), model_state: models[chosen] };
  };
}

export default widgetModule("ProjectionExplorer", DATA, INPUTS, build);
