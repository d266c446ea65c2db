// ESLint for the widget JavaScript (utils/widgets/*.js), the site's scripts (assets/*.js) and the build's typesetter,
// run by `make quick` and `make test` (pinned in package.json).
// utils/widgets/_base.py concatenates attention_math.js, ui.js and one widget's file into one ES module, so each
// widget file may use the top-level names of the two shared files; those are read from the files themselves.
import { readFileSync } from "node:fs";
import js from "@eslint/js";

const SHARED = ["utils/widgets/attention_math.js", "utils/widgets/ui.js"];
const topLevel = (file) =>
  [...readFileSync(new URL(file, import.meta.url), "utf8").matchAll(/^(?:function|const|let) ([A-Za-z_]\w*)/gm)].map(
    (match) => match[1],
  );
const shared = Object.fromEntries(SHARED.flatMap(topLevel).map((name) => [name, "readonly"]));
const browser = { document: "readonly", setTimeout: "readonly", clearTimeout: "readonly" };

export default [
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "max-lines-per-function": ["error", { max: 50 }], // a view is built from small constructors
      "no-var": "error",
      "prefer-const": "error",
      eqeqeq: "error",
      "no-shadow": "error",
      "max-len": ["error", { code: 120 }], // as ruff's line length for the Python
    },
  },
  {
    // the shared files: plain scripts whose top-level names the widget files use; attention_math.js also runs in Node
    files: SHARED,
    languageOptions: { sourceType: "script", globals: { ...browser, module: "writable" } },
    rules: { "no-unused-vars": ["error", { vars: "local" }] },
  },
  {
    files: ["utils/widgets/*.js"],
    ignores: SHARED,
    languageOptions: { sourceType: "module", globals: { ...browser, ...shared } },
  },
  {
    // the static site's widget loader: an ES module in the browser (and in Node for its tests)
    files: ["assets/widgets-offline.js"],
    languageOptions: { sourceType: "module", globals: { ...browser, URL: "readonly", Blob: "readonly", fetch: "readonly",
      console: "readonly" } },
  },
  {
    // the site's own scripts beside the widget loader: classic deferred scripts
    files: ["assets/scroll-stops.js", "assets/qkv-originals.js"],
    languageOptions: { sourceType: "script", globals: { ...browser, ResizeObserver: "readonly",
      localStorage: "readonly" } },
  },
  {
    // Node, at build time: typesets the site's equations (_ext/qkv_maths.py runs it)
    files: ["_ext/typeset_maths.mjs"],
    languageOptions: { sourceType: "module", globals: { process: "readonly", URL: "readonly" } },
  },
];
