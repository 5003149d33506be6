"""The inline stylesheet and script of the HTML report (no external assets, no library)."""

from __future__ import annotations

__all__ = ["SCRIPT", "STYLE"]

STYLE = """
:root { color-scheme: light dark; --bad: #c0392b; --warn: #b9770e; --info: #2471a3; --ok: #1e8449; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
.meta { color: GrayText; margin-top: 0; }
.cards { display: flex; flex-wrap: wrap; gap: .5rem; padding: 0; list-style: none; }
.cards li { border: 1px solid GrayText; border-radius: .4rem; padding: .3rem .7rem; }
.cards b { display: block; font-size: 1.3rem; }
.controls { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: 1rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #8884; padding: .3rem .4rem; text-align: left; }
td { vertical-align: top; }
th button { font: inherit; font-weight: bold; background: none; border: 0; padding: 0; }
th button { cursor: pointer; color: inherit; }
th[aria-sort=ascending] button::after { content: " ▲"; }
th[aria-sort=descending] button::after { content: " ▼"; }
td.url { overflow-wrap: anywhere; }
td.action { overflow-wrap: break-word; min-width: 9em; }
td.context { min-width: 14em; }
.v { font-weight: bold; }
.v-dead, .v-invalid { color: var(--bad); }
.v-unreachable, .v-restricted { color: var(--warn); }
.v-redirected, .v-archived { color: var(--info); }
.v-ok { color: var(--ok); }
details { margin: .3rem 0; }
summary { cursor: pointer; }
svg text { font: 11px system-ui, sans-serif; fill: currentColor; }
svg .axis { stroke: currentColor; } svg .grid { stroke: #8884; stroke-dasharray: 2 3; }
svg .mark { font-style: italic; } svg .value { font-size: 10px; }
.bar-problem { fill: var(--bad); } .bar-ok { fill: var(--ok); } .bar-other { fill: var(--info); }
td.context, q.context { color: GrayText; font-size: .9em; }
.baselined { color: GrayText; font-style: italic; }
tr[data-baselined] td { opacity: .75; }
"""

SCRIPT = """
"use strict";
(function () {
  const table = document.getElementById("findings");
  if (!table) { return; }
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const query = document.getElementById("filter-text");
  const verdict = document.getElementById("filter-verdict");
  const shown = document.getElementById("shown");
  function apply() {
    const text = query.value.trim().toLowerCase();
    const wanted = verdict.value;
    let count = 0;
    for (const row of rows) {
      const match = (!wanted || row.dataset.verdict === wanted) &&
        (!text || row.textContent.toLowerCase().includes(text));
      row.hidden = !match;
      if (match) { count += 1; }
    }
    shown.textContent = String(count);
  }
  function key(row, index) {
    const cell = row.cells[index];
    return cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
  }
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  for (const header of table.tHead.rows[0].cells) {
    const button = header.querySelector("button");
    if (!button) { continue; }
    button.addEventListener("click", function () {
      const ascending = header.getAttribute("aria-sort") !== "ascending";
      for (const other of table.tHead.rows[0].cells) { other.removeAttribute("aria-sort"); }
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const index = header.cellIndex;
      rows.sort(function (a, b) {
        const order = collator.compare(key(a, index), key(b, index));
        return ascending ? order : -order;
      });
      for (const row of rows) { body.appendChild(row); }
    });
  }
  query.addEventListener("input", apply);
  verdict.addEventListener("change", apply);
  apply();
})();
"""
