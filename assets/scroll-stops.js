// A block wider (or taller) than its box scrolls inside it, and a keyboard can scroll it only if it is a tab stop:
// each such block (code, a cell's output, a table, a display equation) becomes one, and only such a block.
// A ResizeObserver reports each block after the browser's own layout (when the block is first laid out and whenever
// its size changes), so nothing is laid out early for this: all sizes are read before any tab stop is written, and a
// block the browser has not laid out (in a section off screen, `content-visibility: auto`, or a closed <details>) is
// left until the observer reports it laid out. The theme's own version of this, which measured every block of the
// page at load and after every change to the page, is switched off by _ext/scroll_stops.py.
const SCROLLABLE = [
  "pre",
  ".cell_output > .output", // a notebook cell's output (MyST-NB)
  ".pst-scrollable-table-container", // a table (the theme wraps each in one)
  "div.math mjx-container", // a display equation (_ext/qkv_maths.py)
].join(", ");

const overflows = (block) => block.scrollWidth > block.clientWidth || block.scrollHeight > block.clientHeight;

const updateTabStops = (entries) => {
  const laidOut = entries.map((entry) => entry.target)
    .filter((block) => block.checkVisibility({ contentVisibilityAuto: true }));
  const stops = laidOut.map(overflows); // every read before the first write
  laidOut.forEach((block, i) => {
    if (stops[i]) block.setAttribute("tabindex", "0");
    else block.removeAttribute("tabindex");
  });
};

const observer = new ResizeObserver(updateTabStops);
document.querySelectorAll(SCROLLABLE).forEach((block) => observer.observe(block));
