// The theme lets a display equation wider than the column scroll sideways: such an equation becomes a tab stop, so a
// keyboard can scroll it too, and only such a one (a narrow equation is no stop). Added by _ext/qkv_maths.py.
const focusWideEquations = () => {
  for (const equation of document.querySelectorAll("div.math mjx-container")) {
    if (equation.scrollWidth > equation.clientWidth) equation.setAttribute("tabindex", "0");
    else equation.removeAttribute("tabindex");
  }
};
focusWideEquations();
window.addEventListener("resize", focusWideEquations);
