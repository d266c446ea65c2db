// The English original of each translated block of a Korean page (see _ext/qkv_originals.py, which writes the
// toggles and the originals): a toggle per block and one for the page, off by default; the page toggle's choice is
// remembered (localStorage "qkv-originals").
const qkvOriginals = () => {
  const data = document.getElementById("qkv-originals");
  if (!data) return;
  const originals = JSON.parse(data.textContent);
  const KEY = "qkv-originals";
  const toggles = [...document.querySelectorAll("button.qkv-original-toggle")];
  const show = (toggle, open) => {
    const box = document.getElementById(toggle.getAttribute("aria-controls"));
    if (open && !box.childElementCount) {
      box.innerHTML = originals[Number(box.dataset.original)];
    }
    box.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
  };
  toggles.forEach((toggle) => {
    toggle.addEventListener("click", () => show(toggle, toggle.getAttribute("aria-expanded") !== "true"));
  });
  const all = document.querySelector("button.qkv-originals-all");
  const showAll = (open) => {
    toggles.forEach((toggle) => show(toggle, open));
    all.setAttribute("aria-expanded", String(open));
    localStorage.setItem(KEY, open ? "shown" : "hidden");
  };
  all.addEventListener("click", () => showAll(all.getAttribute("aria-expanded") !== "true"));
  if (localStorage.getItem(KEY) === "shown") showAll(true);
};
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", qkvOriginals);
else qkvOriginals();
