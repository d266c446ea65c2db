// Lets the widgets stored in a page render with no kernel and no request to another host.
// Loaded (see nb_ipywidgets_js in _config.yml) after require.js and before html-manager's embed-amd.js.
(function () {
  "use strict";
  const vendor = new URL("vendor/", document.currentScript.src).href; // this site's _static/vendor/

  // html-manager asks require.js for each widget module before its CDN: find anywidget here. A module that is
  // not vendored resolves to vendor/unvendored/... (data-jupyter-widgets-cdn), a local 404, never another host.
  // html-manager's bundled CSS puts its icon fonts next to the uri require.js gives html-manager itself, under
  // either module name; both must resolve into vendor/html-manager/ or the fonts 404 (vendor/@jupyter-widgets/).
  window.requirejs.config({
    baseUrl: vendor,
    paths: {
      anywidget: "anywidget/index",
      "@jupyter-widgets/html-manager": "html-manager/embed-amd",
      "@jupyter-widgets/html-manager/dist": "html-manager",
    },
  });

  // html-manager typesets widget labels with the MathJax 2 call MathJax.Hub.Queue(["Typeset", MathJax.Hub, el]),
  // which MathJax 3 lacks (jupyter-widgets/ipywidgets#3829). MathJax is loaded with `defer`, so it exists by
  // DOMContentLoaded, and widgets render on `load`: map that one call onto MathJax 3's typesetPromise.
  document.addEventListener("DOMContentLoaded", function () {
    const mj = window.MathJax;
    if (!mj || mj.Hub || !mj.startup) return; // no MathJax 3 on this page
    mj.Hub = {
      Queue: function (...jobs) {
        for (const job of jobs) {
          if (Array.isArray(job) && job[0] === "Typeset") {
            mj.startup.promise = mj.startup.promise.then(() => mj.typesetPromise(job[2] ? [job[2]] : undefined));
          }
        }
      },
    };
  });
})();
