// Advocado dashboard: progressive enhancement only; every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", () => {
      for (const box of document.querySelectorAll("input.pick")) box.checked = all.checked;
    });
  }
  for (const select of document.querySelectorAll("#filters select")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
});
