// Appended to the page's MathJax configuration by _ext/qkv_head.py. MathJax typesets a page's equations in one task
// that keeps the page from answering input for as long (total blocking time): typeset them one at a time instead, and
// let the browser in whenever SLICE_MS have passed. MathJax.startup.promise resolves when every equation is done.
window.MathJax.startup = {
  ...window.MathJax.startup,
  typeset: false,
  async pageReady() {
    const SLICE_MS = 30;
    const mathjax = window.MathJax;
    await mathjax.startup.defaultPageReady();
    let start = performance.now();
    for (const math of document.querySelectorAll(".math")) {
      await mathjax.typesetPromise([math]);
      if (performance.now() - start > SLICE_MS) {
        await new Promise((resolve) => setTimeout(resolve));
        start = performance.now();
      }
    }
    await mathjax.typesetPromise(); // maths outside a .math element ($...$ in other text), if any
    focusWideEquations();
    window.addEventListener("resize", focusWideEquations);
  },
};

function focusWideEquations() {
  // the theme lets a display equation wider than the column scroll sideways: such an equation becomes a tab stop,
  // so a keyboard can scroll it too (and only such a one: a narrow equation is no stop)
  for (const equation of document.querySelectorAll("div.math mjx-container")) {
    if (equation.scrollWidth > equation.clientWidth) equation.setAttribute("tabindex", "0");
    else equation.removeAttribute("tabindex");
  }
}
