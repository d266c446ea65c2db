// DatabaseExplorer: look a query up in a tiny (last name, first name) table: exact, approximate or soft.
// Uses attention_math.js and ui.js (concatenated before this file by utils/widgets/_base.py).

const INPUTS = ["text", "mode", "temperature"];

function build(model, el, offs) {
  const t = (name) => label(model, name);
  const records = model.get("records");

  const text = html("input", { type: "text", "data-testid": "text", autocomplete: "off", spellcheck: "false" });
  text.value = model.get("text");
  text.addEventListener("input", () => writeInputs(model, { text: text.value }));
  const mode = traitSelect(model, "mode", ["exact", "approximate", "soft"], "lookup");
  const temperature = logSlider(model, "temperature", { min: -2, max: 1 });

  const result = html("p", { class: "qkv-result", "aria-live": "polite", "data-testid": "result" });
  const rows = records.map(([key, value]) => {
    const bar = weightBar();
    const cells = [html("td", { class: "qkv-num" }), html("td", {}, [bar.node]), html("td", { class: "qkv-num" })];
    const node = html("tr", {}, [html("th", { scope: "row", text: key }), html("td", { text: value }), ...cells]);
    return { node, cells, bar };
  });
  const table = html("table", { "data-testid": "records" }, [
    html("thead", {}, [
      html(
        "tr",
        {},
        [t("last_name"), t("first_name"), t("similarity"), t("attention_weight"), ""].map((h) => html("th", { text: h })),
      ),
    ]),
    html("tbody", {}, rows.map((row) => row.node)),
  ]);
  el.append(
    html("div", { class: "qkv-controls" }, [control(t("db_query"), text), mode.root, temperature.root]),
    result,
    table,
    html("p", { class: "qkv-note", text: t("similarity_note") }),
  );

  function update() {
    const [query, modeName, T] = INPUTS.map((name) => model.get(name));
    const { scores, weights, result: value } = lookupWeights(records, query, modeName, T);
    if (text.value !== query) text.value = query;
    mode.input.value = modeName;
    temperature.show(T);
    temperature.input.disabled = modeName !== "soft";
    rows.forEach(({ node, cells, bar }, i) => {
      cells[0].textContent = formatNumber(scores[i]);
      bar.show(weights[i], PALETTE[0]);
      cells[2].textContent = formatNumber(weights[i]);
      node.classList.toggle("qkv-highlight", modeName !== "soft" && weights[i] === 1);
    });
    if (modeName === "soft") {
      const ranked = records.map(([, v], i) => [v, weights[i]]).sort((a, b) => b[1] - a[1]);
      const top = ranked.slice(0, 3).map(([v, w]) => `${v} ${formatNumber(w)}`);
      result.textContent = `${t("returns")}: ${t("soft_result")} (${top.join(", ")}, …)`;
    } else {
      result.textContent = `${t("returns")}: ${value === null ? t("no_record") : value}`;
    }
    setState(el, { text: query, mode: modeName, temperature: T, records, similarities: scores, weights, result: value });
  }
  listen(model, INPUTS, update, offs);
  update();
}

export default widgetModule("DatabaseExplorer", ["records"], build);
