// The English original of each translated block of a Korean page (see _ext/qkv_originals.py): a toggle per block
// and one for the page, off by default; the page toggle's choice is remembered (localStorage "qkv-originals").
const qkvOriginals = () => {
  const data = document.getElementById("qkv-originals");
  if (!data) return;
  const originals = JSON.parse(data.textContent);
  const KEY = "qkv-originals";
  const toggles = [];
  const show = (toggle, open) => {
    const box = toggle.qkvBox;
    if (open && !box.childElementCount) {
      box.innerHTML = originals[Number(box.dataset.original)];
    }
    box.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
  };
  document.querySelectorAll(".qkv-original").forEach((box, i) => {
    box.id = `qkv-original-${i}`;
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "qkv-original-toggle";
    toggle.textContent = "영문";
    toggle.title = "영어 원문 보기";
    toggle.ariaLabel = "영문: 영어 원문 보기"; // the name starts with the visible word (WCAG 2.5.3, axe)
    toggle.setAttribute("aria-controls", box.id);
    toggle.qkvBox = box;
    toggle.addEventListener("click", () => show(toggle, toggle.getAttribute("aria-expanded") !== "true"));
    box.before(toggle);
    toggles.push(toggle);
    show(toggle, false);
  });
  const all = document.createElement("button");
  all.type = "button";
  all.className = "qkv-originals-all";
  all.textContent = "영어 원문 모두 보기";
  const showAll = (open) => {
    toggles.forEach((toggle) => show(toggle, open));
    all.setAttribute("aria-expanded", String(open));
    localStorage.setItem(KEY, open ? "shown" : "hidden");
  };
  all.addEventListener("click", () => showAll(all.getAttribute("aria-expanded") !== "true"));
  const article = document.querySelector("article.bd-article") || document.body;
  article.prepend(all);
  showAll(localStorage.getItem(KEY) === "shown");
};
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", qkvOriginals);
else qkvOriginals();
