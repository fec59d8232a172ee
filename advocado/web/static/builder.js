/* Widget builder: re-render the preview and the mix check as the settings change, before saving. */
(function () {
  "use strict";
  var form = document.getElementById("widget-settings");
  var preview = document.getElementById("preview");
  if (!form || !preview) return;
  var pending = null;
  function refresh() {
    var query = new URLSearchParams(new FormData(form)).toString();
    fetch(form.getAttribute("data-preview") + "?" + query, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (result) {
        window.AdvocadoRender(preview, result.data);
        var mix = result.mix;
        document.getElementById("mix-score").textContent = "Score " + mix.score + "/100 · " +
          (mix.fair ? "fair" : "not representative") + " · " + mix.shown + " of " + mix.population;
        var list = document.getElementById("mix-findings");
        list.replaceChildren.apply(list, mix.findings.map(function (f) {
          var li = document.createElement("li"); li.textContent = f; return li;
        }));
      });
  }
  refresh();
  form.addEventListener("input", function () { clearTimeout(pending); pending = setTimeout(refresh, 250); });
  form.addEventListener("change", function () { clearTimeout(pending); pending = setTimeout(refresh, 50); });
})();
