// DatabaseExplorer: look a query up in a tiny (last name, first name) table: exact, approximate or soft.
// Uses attention_math.js and ui.js (concatenated before this file by utils/widgets/_base.py).

const INPUTS = ["text", "mode", "temperature"];
const SOFT = "soft"; // the lookup with a temperature, as named by utils.database and lookupWeights

function lookupControls(model) {
  // the query text, the kind of lookup and the temperature (soft lookups only): {root, show(text, mode, T)}
  const text = html("input", { type: "text", "data-testid": "text", autocomplete: "off", spellcheck: "false" });
  text.value = model.get("text");
  text.addEventListener("input", () => writeInputs(model, { text: text.value }));
  const mode = traitSelect(model, "mode", model.get("choices").mode, "lookup");
  const temperature = logSlider(model, "temperature", { min: -2, max: 1 });
  const disableTemperature = disabledReason(temperature, label(model, "temperature_disabled"));
  const show = (query, modeName, T) => {
    if (text.value !== query) text.value = query;
    mode.input.value = modeName;
    temperature.show(T);
    disableTemperature(modeName !== SOFT);
  };
  const children = [control(label(model, "db_query"), text), mode.root, temperature.root];
  return { root: html("div", { class: "qkv-controls" }, children), show };
}

function recordsTable(model, records) {
  // one row per record: key, value, similarity, a bar and the weight: {root, show(scores, weights, hard)}
  const t = (name) => label(model, name);
  const rows = records.map(([key, value]) => {
    const bar = weightBar();
    const cells = [html("td", { class: "qkv-num" }), html("td", {}, [bar.node]), html("td", { class: "qkv-num" })];
    const node = html("tr", {}, [html("th", { scope: "row", text: key }), html("td", { text: value }), ...cells]);
    return { node, cells, bar };
  });
  const root = html("table", { "data-testid": "records" }, [
    tableHead([t("last_name"), t("first_name"), t("similarity"), t("attention_weight")]),
    html("tbody", {}, rows.map((row) => row.node)),
  ]);
  const show = (scores, weights, hard) =>
    rows.forEach(({ node, cells, bar }, i) => {
      cells[0].textContent = formatNumber(scores[i]);
      bar.show(weights[i], PALETTE[0]);
      cells[2].textContent = formatNumber(weights[i]);
      node.classList.toggle("qkv-highlight", hard && weights[i] === 1);
    });
  return { root, show };
}

function build(model, el) {
  const t = (name) => label(model, name);
  const records = model.get("records");
  const goal = challengeBox(model, "database");
  const [controls, table] = [lookupControls(model), recordsTable(model, records)];
  const result = html("p", { class: "qkv-result", "data-testid": "result" }); // spoken by the announcer
  const announce = announcer(el);
  el.append(goal.root, controls.root, result, table.root, html("p", { class: "qkv-note", text: t("similarity_note") }));
  return () => {
    const [query, mode, temperature] = INPUTS.map((name) => model.get(name));
    const { scores, weights, result: value } = lookupWeights(records, query, mode, temperature);
    controls.show(query, mode, temperature);
    table.show(scores, weights, mode !== SOFT);
    if (mode === SOFT) {
      const ranked = records.map(([, v], i) => [v, weights[i]]).sort((a, b) => b[1] - a[1]);
      const top = ranked.slice(0, 3).map(([v, w]) => `${v} ${formatNumber(w)}`);
      result.textContent = `${t("returns")}: ${t("soft_result")} (${top.join(", ")}, …)`;
    } else {
      result.textContent = `${t("returns")}: ${value === null ? t("no_record") : value}`;
    }
    announce(result.textContent);
    const solved = goal.show(CHALLENGES.DatabaseExplorer({ records, text: query, mode, temperature }));
    return { text: query, mode, temperature, records, similarities: scores, weights, result: value,
      challenge_solved: solved };
  };
}

export default widgetModule("DatabaseExplorer", ["records"], INPUTS, build);
