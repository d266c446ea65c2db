// Typeset TeX into SVG with MathJax (mathjax-full, pinned in package.json), for _ext/qkv_maths.py: the site's
// equations are drawn at build time, so a page loads no MathJax and no maths font.
//
//   node _ext/typeset_maths.mjs < equations.json > typeset.json
//
// stdin:  [{"tex": "\\mathbf{q}", "display": false}, ...]
// stdout: {"mathjax": version, "css": the stylesheet the SVGs need,
//          "glyphs": {"MJX-TEX-B-1D42A": "<path d>", ...},           shared by every equation (one font cache)
//          "equations": [svg markup, ...]}                          in the order of stdin; <use> points at glyphs
// Each equation's markup carries MathJax's assistive MathML for screen readers; a TeX error is an error here. The
// markup loses the attributes no style or script reads (slim).
import { readFileSync } from "node:fs";
import { mathjax } from "mathjax-full/js/mathjax.js";
import { TeX } from "mathjax-full/js/input/tex.js";
import { SVG } from "mathjax-full/js/output/svg.js";
import { liteAdaptor } from "mathjax-full/js/adaptors/liteAdaptor.js";
import { RegisterHTMLHandler } from "mathjax-full/js/handlers/html.js";
import { AssistiveMmlHandler } from "mathjax-full/js/a11y/assistive-mml.js";
import { AllPackages } from "mathjax-full/js/input/tex/AllPackages.js";

const adaptor = liteAdaptor();
AssistiveMmlHandler(RegisterHTMLHandler(adaptor));
const tex = new TeX({ packages: AllPackages, formatError: (_jax, error) => { throw error; } });
const svg = new SVG({ fontCache: "global" });
const document = mathjax.document("", { InputJax: tex, OutputJax: svg });

// MathJax's own stylesheet selects on data-mml-node only for these (and on the structure below them); elsewhere the
// attribute, the TeX class and the bare <g>s that only grouped MathML nodes are dead weight: fewer bytes, fewer nodes
const STYLED_NODES = new Set(["merror", "mtable", "maction"]);
const slim = (node) => {
  if (adaptor.kind(node) === "#text" || STYLED_NODES.has(adaptor.getAttribute(node, "data-mml-node"))) return node;
  adaptor.removeAttribute(node, "data-mml-node");
  adaptor.removeAttribute(node, "data-mjx-texclass");
  for (const child of [...adaptor.childNodes(node)]) {
    slim(child);
    if (adaptor.kind(child) === "g" && adaptor.allAttributes(child).length === 0) {
      for (const grandchild of [...adaptor.childNodes(child)]) adaptor.insert(grandchild, child);
      adaptor.remove(child);
    }
  }
  return node;
};

const equations = JSON.parse(readFileSync(0, "utf8")).map(({ tex: source, display }) => {
  try {
    return adaptor.outerHTML(slim(document.convert(source, { display })));
  } catch (error) {
    process.stderr.write(`MathJax cannot typeset ${display ? "display" : "inline"} TeX ${source} : ${error.message}\n`);
    process.exit(1);
  }
});

const glyphs = {};
for (const path of adaptor.tags(svg.fontCache.getCache(), "path")) {
  glyphs[adaptor.getAttribute(path, "id")] = adaptor.getAttribute(path, "d");
}
const version = JSON.parse(readFileSync(new URL("../node_modules/mathjax-full/package.json", import.meta.url)));
const css = adaptor.textContent(svg.styleSheet(document));
process.stdout.write(JSON.stringify({ mathjax: version.version, css, glyphs, equations }));
