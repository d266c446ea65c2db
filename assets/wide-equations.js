// The theme lets a display equation wider than the column scroll sideways: such an equation becomes a tab stop, so a
// keyboard can scroll it too, and only such a one (a narrow equation is no stop). Added by _ext/qkv_maths.py.
// A ResizeObserver reads the widths after the browser's own layout (first, and whenever the column changes), so the
// page is never laid out early for this (reading them at load forced a whole-page layout: half a second on a phone).
const focusIfWide = (entries) => {
  for (const { target: equation } of entries) {
    if (equation.scrollWidth > equation.clientWidth) equation.setAttribute("tabindex", "0");
    else equation.removeAttribute("tabindex");
  }
};
const observer = new ResizeObserver(focusIfWide);
document.querySelectorAll("div.math mjx-container").forEach((equation) => observer.observe(equation));
