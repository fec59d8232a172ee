/* Advocado widget renderer: draws one widget's data into an open Shadow DOM.
   Every customer-written string goes through textContent; styles arrive as a constructed
   stylesheet, theme values as CSS custom properties, so nothing here needs 'unsafe-inline'. */
(function () {
  "use strict";
  var CSS = [
    ":host{all:initial;display:block;contain:content;box-sizing:border-box}",
    "*{box-sizing:border-box}",
    ".w{height:100%;overflow:auto;padding:12px;font:15px/1.45 var(--adv-font,system-ui,-apple-system,'Segoe UI',Roboto,sans-serif);",
    "color:var(--adv-text,#1b1b1f);background:var(--adv-background,#fff);border-radius:10px}",
    ".dark{color:var(--adv-text,#f1f1f4);background:var(--adv-background,#17171c)}",
    "h2{font-size:1.05em;margin:0 0 8px}",
    ".cards{columns:3 240px;column-gap:12px}",
    ".card{break-inside:avoid;margin:0 0 12px;padding:12px;border:1px solid rgba(127,127,127,.35);border-radius:8px;display:block}",
    ".stars{color:var(--adv-accent,#b45309);letter-spacing:1px}",
    ".dark .stars{color:var(--adv-accent,#fbbf24)}",
    ".title{font-weight:600;margin:4px 0}",
    "blockquote{margin:6px 0;white-space:pre-line;overflow-wrap:anywhere}",
    ".who{display:flex;gap:8px;align-items:center;font-size:.9em}",
    ".who img{width:32px;height:32px;border-radius:50%;object-fit:cover}",
    ".meta{opacity:.8}",
    ".disclosure{font-size:.85em;opacity:.85;margin:6px 0 0}",
    ".badge{display:flex;gap:10px;align-items:center;height:100%;padding:8px 12px}",
    ".badge .avg{font-size:1.4em;font-weight:700}",
    ".quote blockquote{font-size:1.15em}",
    ".slides{position:relative}",
    ".slide[hidden]{display:none}",
    ".controls{display:flex;gap:8px;margin-top:8px}",
    "button{font:inherit;min-width:44px;min-height:44px;padding:0 12px;border-radius:6px;cursor:pointer;",
    "border:1px solid var(--adv-accent,#b45309);background:transparent;color:inherit}",
    "button:focus-visible{outline:3px solid var(--adv-accent,#b45309);outline-offset:2px}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}"
  ].join("");
  var sheet = null;
  var ROTATE_MS = 7000;

  function node(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = String(text);
    return e;
  }

  function stars(rating) {
    var n = Math.round(rating);
    var s = node("span", "stars", "\u2605\u2605\u2605\u2605\u2605".slice(0, n) + "\u2606\u2606\u2606\u2606\u2606".slice(0, 5 - n));
    s.setAttribute("role", "img");
    s.setAttribute("aria-label", "Rated " + rating + " out of 5");
    return s;
  }

  function card(item, tag) {
    var c = node(tag || "article", "card");
    if (item.rating != null) c.appendChild(stars(item.rating));
    if (item.title) c.appendChild(node("p", "title", item.title));
    c.appendChild(node("blockquote", null, item.text));
    var who = node("p", "who");
    if (typeof item.avatar === "string" && item.avatar.indexOf("https://") === 0) {
      var img = node("img");
      img.alt = "";
      img.loading = "lazy";
      img.referrerPolicy = "no-referrer";
      img.width = 32;
      img.height = 32;
      img.src = item.avatar;
      who.appendChild(img);
    }
    var text = node("span");
    text.appendChild(node("strong", null, item.name));
    var extra = [item.role, item.company].filter(Boolean).join(", ");
    if (extra) text.appendChild(node("span", "meta", " \u00b7 " + extra));
    if (item.date) {
      var t = node("time", "meta", " \u00b7 " + item.date);
      t.dateTime = item.date;
      text.appendChild(t);
    }
    who.appendChild(text);
    c.appendChild(who);
    return c;
  }

  function carousel(root, items) {
    var wrap = node("div", "slides");
    wrap.setAttribute("aria-roledescription", "carousel");
    wrap.setAttribute("aria-label", "Customer testimonials");
    var live = node("div", "track");
    var slides = items.map(function (item, i) {
      var s = card(item, "div");
      s.classList.add("slide");
      s.setAttribute("role", "group");
      s.setAttribute("aria-roledescription", "slide");
      s.setAttribute("aria-label", (i + 1) + " of " + items.length);
      s.hidden = i !== 0;
      live.appendChild(s);
      return s;
    });
    var current = 0, timer = null, hovering = false;
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var userPaused = reduce;
    var controls = node("div", "controls");
    var prev = node("button", "prev", "Previous");
    var pause = node("button", "pause");
    var next = node("button", "next", "Next");
    [prev, pause, next].forEach(function (b) { b.type = "button"; controls.appendChild(b); });
    function go(i) {
      slides[current].hidden = true;
      current = (i + slides.length) % slides.length;
      slides[current].hidden = false;
      wrap.setAttribute("data-current", String(current));
    }
    function sync() {
      var playing = !userPaused && !hovering && slides.length > 1;
      if (playing && !timer) timer = setInterval(function () { go(current + 1); }, ROTATE_MS);
      if (!playing && timer) { clearInterval(timer); timer = null; }
      live.setAttribute("aria-live", playing ? "off" : "polite");
      pause.textContent = userPaused ? "Play" : "Pause";
      pause.setAttribute("aria-pressed", String(!userPaused));
      wrap.setAttribute("data-playing", String(playing));
    }
    prev.addEventListener("click", function () { go(current - 1); });
    next.addEventListener("click", function () { go(current + 1); });
    pause.addEventListener("click", function () { userPaused = !userPaused; sync(); });
    wrap.addEventListener("mouseenter", function () { hovering = true; sync(); });
    wrap.addEventListener("mouseleave", function () { hovering = false; sync(); });
    wrap.addEventListener("focusin", function () { hovering = true; sync(); });
    wrap.addEventListener("focusout", function () { hovering = false; sync(); });
    wrap.appendChild(live);
    if (slides.length > 1) wrap.appendChild(controls);
    wrap.setAttribute("data-current", "0");
    root.appendChild(wrap);
    sync();
  }

  function render(el, data) {
    var shadow = el.shadowRoot || el.attachShadow({ mode: "open" });
    if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
    shadow.adoptedStyleSheets = [sheet];
    el.style.display = "block";
    if (data.height && !el.hasAttribute("data-natural-height")) el.style.height = data.height + "px";
    var colors = data.colors || {};
    ["accent", "background", "text", "font"].forEach(function (k) {
      if (colors[k]) el.style.setProperty("--adv-" + k, colors[k]);
    });
    var root = node("section", "w " + (data.theme === "dark" ? "dark " : "") + data.kind);
    root.setAttribute("aria-label", data.heading || "Customer reviews");
    if (data.kind === "badge") {
      root.classList.add("badge");
      if (data.totals.average != null) {
        var avg = node("span", "avg", data.totals.average.toFixed(1));
        avg.setAttribute("aria-hidden", "true");
        root.appendChild(avg);
        var st = stars(data.totals.average);
        st.setAttribute("aria-hidden", "true");
        st.removeAttribute("role");
        root.appendChild(st);
      }
      root.appendChild(node("span", "label", data.badge));
    } else {
      root.appendChild(node("h2", null, data.heading));
      if (data.kind === "carousel") carousel(root, data.items);
      else if (data.kind === "quote") { if (data.items[0]) root.appendChild(card(data.items[0], "figure")); }
      else {
        var cards = node("div", "cards");
        data.items.forEach(function (item) { cards.appendChild(card(item)); });
        root.appendChild(cards);
      }
      root.appendChild(node("p", "disclosure", data.disclosure));
    }
    shadow.replaceChildren(root);
    el.setAttribute("data-advocado-rendered", data.kind);
  }

  window.AdvocadoRender = render;
})();
