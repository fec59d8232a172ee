/* Advocado widget loader: finds [data-advocado-widget] containers, reserves their height, loads the
   renderer once, fetches each widget's data and renders it into a Shadow DOM when it nears the
   viewport. Also resizes iframe-mode embeds, trusting only messages from our own frames.
   No innerHTML, no eval: works under a strict CSP and Trusted Types. */
(function () {
  "use strict";
  if (window.Advocado && window.Advocado.loaded) return;
  var me = document.currentScript;
  var base = me ? new URL(me.src, location.href).origin : location.origin;
  var renderer = null;
  var rendererUrl = base + "/widget-render.js";
  // Under Trusted Types a script URL must come from a policy; allow "trusted-types advocado".
  var policy = null;
  try {
    policy = window.trustedTypes && window.trustedTypes.createPolicy("advocado", {
      createScriptURL: function (url) { if (url === rendererUrl) return url; throw new TypeError("not the renderer"); }
    });
  } catch (error) { policy = null; }

  function loadRenderer() {
    if (renderer) return renderer;
    renderer = new Promise(function (resolve, reject) {
      if (window.AdvocadoRender) return resolve(window.AdvocadoRender);
      var s = document.getElementById("advocado-render") || document.createElement("script");
      s.addEventListener("load", function () { resolve(window.AdvocadoRender); });
      s.addEventListener("error", reject);
      if (!s.id) {
        s.id = "advocado-render";
        s.async = true;
        s.src = policy ? policy.createScriptURL(rendererUrl) : rendererUrl;
        document.head.appendChild(s);
      }
    });
    return renderer;
  }

  function show(el) {
    var id = el.getAttribute("data-advocado-widget");
    if (!/^[\w-]{1,32}$/.test(id || "")) return;
    var data = fetch(base + "/w/" + id + ".json", { credentials: "omit" }).then(function (r) {
      if (!r.ok) throw new Error("Advocado widget " + id + ": HTTP " + r.status);
      return r.json();
    });
    Promise.all([loadRenderer(), data]).then(function (both) { both[0](el, both[1]); })
      .catch(function (error) { el.setAttribute("data-advocado-error", String(error && error.message)); });
  }

  function mount(el) {
    if (el.hasAttribute("data-advocado-mounted")) return;
    el.setAttribute("data-advocado-mounted", "");
    var h = parseInt(el.getAttribute("data-height") || "", 10);
    if (h > 0 && !el.style.height) el.style.height = h + "px";
    if (!("IntersectionObserver" in window)) return show(el);
    var io = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) { io.disconnect(); show(el); }
    }, { rootMargin: "300px" });
    io.observe(el);
  }

  function unmount(el) {
    el.removeAttribute("data-advocado-mounted");
    if (el.shadowRoot) el.shadowRoot.replaceChildren();
  }

  function scan() {
    document.querySelectorAll("[data-advocado-widget]").forEach(mount);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== base || !event.data || event.data.type !== "advocado:resize") return;
    document.querySelectorAll("iframe[data-advocado-frame]").forEach(function (frame) {
      if (event.source === frame.contentWindow && event.data.id === frame.getAttribute("data-advocado-frame")) {
        var h = Math.min(Math.max(parseInt(event.data.height, 10) || 0, 40), 4000);
        frame.style.height = h + "px";
      }
    });
  });

  window.Advocado = { loaded: true, mount: mount, unmount: unmount, scan: scan };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
})();
