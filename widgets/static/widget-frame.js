/* Inside an Advocado iframe: tell the embedding page (and only it) how tall the widget is. */
(function () {
  "use strict";
  var root = document.documentElement;
  var target = root.getAttribute("data-parent-origin");
  var id = root.getAttribute("data-widget");
  if (!target || !window.parent || window.parent === window) return;
  var last = 0;
  function post() {
    var h = Math.ceil(document.body.getBoundingClientRect().height);
    if (h !== last) {
      last = h;
      window.parent.postMessage({ type: "advocado:resize", id: id, height: h }, target);
    }
  }
  new ResizeObserver(post).observe(document.body);
  post();
})();
