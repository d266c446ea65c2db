// Draws the anywidget views stored in a page from the page's widget state, with no kernel and no other host.
// Loaded as a module (deferred: it never blocks the first paint) on the pages that store widget state, instead of
// @jupyter-widgets/html-manager (3.5 MB), which the pages do not need: they hold only anywidget models and layouts.
// It gives each widget's ES module the interface of anywidget's front end: render({ model, el }) (or initialize),
// with model.get/set/on/off/save_changes/send. JupyterLab is untouched: there anywidget's own front end draws them.

const STATE = 'script[type="application/vnd.jupyter.widget-state+json"]';
const VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]';
const LAYOUT_PREFIX = "IPY_MODEL_";

// A model of one stored widget: its traits and change events, as anywidget's model (Backbone) behaves.
// set() fires "change:<name>" for each trait whose value changed, then "change"; save_changes() has no kernel to
// reach on a static page, so it keeps the values set (already drawn) and returns.
export function createModel(state, widgetManager = null) {
  const traits = { ...state };
  const handlers = new Map(); // event name -> [[callback, context]]
  const equal = (a, b) => a === b || JSON.stringify(a) === JSON.stringify(b);
  const model = {
    widget_manager: widgetManager,
    get(name) {
      return traits[name];
    },
    set(name, value) {
      const changes = typeof name === "object" && name !== null ? name : { [name]: value };
      const changed = Object.keys(changes).filter((key) => !equal(traits[key], changes[key]));
      for (const key of changed) traits[key] = changes[key];
      for (const key of changed) model.trigger(`change:${key}`, model, traits[key]);
      if (changed.length) model.trigger("change", model);
    },
    on(event, callback, context) {
      for (const name of event.split(/\s+/)) {
        if (!handlers.has(name)) handlers.set(name, []);
        handlers.get(name).push([callback, context]);
      }
    },
    off(event, callback) {
      for (const name of event ? event.split(/\s+/) : [...handlers.keys()]) {
        const kept = (handlers.get(name) || []).filter(([cb]) => callback && cb !== callback);
        if (kept.length) handlers.set(name, kept);
        else handlers.delete(name);
      }
    },
    trigger(event, ...args) {
      for (const [callback, context] of [...(handlers.get(event) || [])]) callback.apply(context, args);
    },
    save_changes() {},
    send() {}, // custom messages go to a kernel: there is none
  };
  return model;
}

// The widget definition of an anywidget ES module: its default export (an object, or a function returning one),
// or the module itself for the older `export function render`.
export async function widgetDefinition(module) {
  const definition = module.default ?? module;
  return typeof definition === "function" ? await definition() : definition;
}

// The CSS properties of a stored LayoutModel that are set (a layout trait named like its CSS property).
export function layoutStyle(layout) {
  const style = {};
  for (const [name, value] of Object.entries(layout || {})) {
    if (!name.startsWith("_") && value !== null && value !== undefined && value !== "") {
      style[name.replace(/_/g, "-")] = value;
    }
  }
  return style;
}

async function importSource(source) {
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  try {
    return await import(url);
  } finally {
    URL.revokeObjectURL(url);
  }
}

// The stored widget state of `doc`: in its state script, or in the JSON file that script names (src) beside the
// page: _ext/qkv_head.py moves it there, so that the page, and its first paint, do not wait for the state.
export async function storedState(doc) {
  const script = doc.querySelector(STATE);
  const file = script && script.getAttribute("src");
  if (!file) return script && JSON.parse(script.textContent);
  const response = await fetch(new URL(file, doc.baseURI));
  if (!response.ok) throw new Error(`the widget state ${file} did not load (${response.status})`);
  return response.json();
}

// Render every stored view of `doc`: a div.widget-subarea holding the view's element, right before its <script>,
// as html-manager placed them. A view that fails shows why, in a .jupyter-widgets-error-widget.
export async function renderAll(doc = document) {
  if (!doc.querySelector(STATE)) return [];
  const state = storedState(doc);
  const modules = new Map(); // _esm source -> its module, imported once per page
  const styles = new Set();
  return Promise.all([...doc.querySelectorAll(VIEW)].map(async (script) => {
    const area = doc.createElement("div");
    area.className = "widget-subarea";
    const el = doc.createElement("div");
    el.className = "jupyter-widgets";
    area.append(el);
    script.before(area);
    const id = JSON.parse(script.textContent).model_id;
    try {
      const { state: models } = await state;
      const stored = models[id];
      if (!stored || stored.model_name !== "AnyModel") {
        throw new Error(`model ${id} is ${stored ? stored.model_name : "missing"}, not an anywidget AnyModel`);
      }
      const { _esm: esm, _css: css, layout } = stored.state;
      if (css && !styles.has(css)) {
        styles.add(css);
        const style = doc.createElement("style");
        style.textContent = css;
        doc.head.append(style);
      }
      const layoutModel = typeof layout === "string" ? models[layout.slice(LAYOUT_PREFIX.length)] : null;
      for (const [property, value] of Object.entries(layoutStyle(layoutModel && layoutModel.state))) {
        el.style.setProperty(property, value);
      }
      if (!modules.has(esm)) modules.set(esm, importSource(esm).then(widgetDefinition));
      const definition = await modules.get(esm);
      const model = createModel(stored.state, { models });
      if (definition.initialize) await definition.initialize({ model });
      if (definition.render) await definition.render({ model, el });
      return el;
    } catch (error) {
      el.classList.add("jupyter-widgets-error-widget");
      el.textContent = `This widget could not be drawn: ${error.message}`;
      console.error(`widget ${id}:`, error);
      return el;
    }
  }));
}

if (typeof document !== "undefined") renderAll();
