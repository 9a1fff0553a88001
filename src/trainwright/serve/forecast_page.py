"""The page at `/` of a served forecast run: paste or drop a CSV history, or pick a series the run knows, press
Forecast, and see the history with the forecast and its interval band (inline SVG) and the numbers in a table.

One self-contained document: inline CSS and JS, nothing fetched but this server's own /series and /forecast.
`/?series=ID` forecasts that known series at once, `/?csv=...` that CSV history, so a headless browser can drive
the page without a driver.
With a token, the page asks for it (or takes a link's `#token=...`) before it calls the API.
"""

from __future__ import annotations

import html
import json


def render_forecast_page(metadata: dict, needs_token: bool) -> str:
    config = {key: metadata[key] for key in ("name", "horizon", "quantiles", "columns", "frequency")}
    config["needsToken"] = needs_token
    data = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")  # no "</script>" inside the script
    columns = metadata["columns"]
    example = ",".join(c for c in (columns["id"], columns["time"], columns["target"]) if c)
    return (_PAGE.replace("__TITLE__", html.escape(f"{metadata['name']} · trainwright"))
            .replace("__NAME__", html.escape(metadata["name"])).replace("__HEADER__", html.escape(example))
            .replace("__HORIZON__", str(int(metadata["horizon"]))).replace("__CONFIG__", data))


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
  :root { --bg: #f5f6f8; --card: #fff; --ink: #1d2330; --muted: #6b7385; --line: #e3e6ec; --accent: #3559e0;
          --band: rgba(53, 89, 224, .18); --bad: #b42318; --bad-soft: #fdecea; }
  * { box-sizing: border-box; }
  body { margin: 0; background: var(--bg); color: var(--ink);
         font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  main { max-width: 900px; margin: 32px auto; padding: 0 20px; }
  header { display: flex; align-items: baseline; gap: 12px; margin-bottom: 16px; }
  h1 { font-size: 24px; margin: 0; }
  .badge { font-size: 12px; color: var(--accent); background: #dfe6fc; border-radius: 999px; padding: 2px 10px;
           font-weight: 600; }
  .brand { margin-left: auto; color: var(--muted); font-size: 13px; }
  .card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 20px;
          margin-bottom: 16px; }
  textarea { width: 100%; min-height: 110px; font: 13px ui-monospace, monospace; border: 1px dashed var(--line);
             border-radius: 8px; padding: 10px; background: var(--bg); color: var(--ink); }
  textarea.over { border-color: var(--accent); }
  .row { display: flex; gap: 12px; align-items: center; margin-top: 12px; flex-wrap: wrap; }
  select, input { font: inherit; padding: 6px 8px; border: 1px solid var(--line); border-radius: 8px; }
  button { font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0; border-radius: 8px;
           padding: 8px 18px; cursor: pointer; }
  .muted { color: var(--muted); font-size: 13px; }
  #error { display: none; color: var(--bad); background: var(--bad-soft); border-radius: 8px; padding: 10px 12px; }
  svg { width: 100%; height: auto; display: block; }
  .history { fill: none; stroke: var(--ink); stroke-width: 1.5; }
  .point { fill: none; stroke: var(--accent); stroke-width: 2; }
  .band { fill: var(--band); stroke: none; }
  .axis { stroke: var(--line); } .tick { fill: var(--muted); font-size: 11px; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
  th, td { text-align: right; padding: 4px 8px; border-bottom: 1px solid var(--line); }
  th:first-child, td:first-child { text-align: left; }
</style>
</head>
<body data-state="idle">
<main>
  <header><h1>__NAME__</h1><span class="badge">forecast · __HORIZON__ periods</span>
    <span class="brand">trainwright</span></header>
  <section class="card">
    <label for="csv"><strong>History</strong> <span class="muted">paste or drop a CSV with the columns
      <code>__HEADER__</code>, or pick a series the run knows</span></label>
    <textarea id="csv" placeholder="__HEADER__&#10;..."></textarea>
    <div class="row">
      <select id="known"><option value="">— a series the run knows —</option></select>
      <input id="token" type="password" placeholder="token" hidden>
      <button id="go">Forecast</button>
      <span id="status" class="muted"></span>
    </div>
  </section>
  <div id="error"></div>
  <section class="card" id="result" hidden>
    <div class="row" style="margin-top:0"><strong id="title"></strong><span id="model" class="muted"></span>
      <select id="which" hidden></select></div>
    <svg id="chart" viewBox="0 0 860 320" role="img" aria-label="history and forecast"></svg>
    <table id="numbers"></table>
  </section>
</main>
<script>
const CONFIG = __CONFIG__;
const $ = (id) => document.getElementById(id);
let known = [], answer = null;
const token = () => $("token").value || new URLSearchParams(location.hash.slice(1)).get("token") || "";

async function call(path, body) {
  const headers = {"Content-Type": "application/json"};
  if (token()) headers.Authorization = "Bearer " + token();
  const response = await fetch(path, body ? {method: "POST", headers, body: JSON.stringify(body)} : {headers});
  const data = await response.json().catch(() => ({detail: response.statusText}));
  if (!response.ok) throw new Error(data.detail || response.statusText);
  return data;
}

function parseCsv(text) {
  // Plain CSV: a header, then one observation per line; quoted cells may hold commas.
  const lines = text.trim().split(/\\r?\\n/).filter((l) => l.trim());
  const split = (line) => (line.match(/("([^"]|"")*"|[^,]*)(,|$)/g) || []).slice(0, -1)
    .map((c) => c.replace(/,$/, "").replace(/^"|"$/g, "").replace(/""/g, '"').trim());
  const header = split(lines[0]);
  return lines.slice(1).map((line) => {
    const cells = split(line), record = {};
    header.forEach((name, i) => {
      const cell = cells[i] === undefined || cells[i] === "" ? null : cells[i];
      record[name] = name === CONFIG.columns.target && cell !== null && !isNaN(Number(cell)) ? Number(cell) : cell;
    });
    return record;
  });
}

function showError(message) {
  $("error").textContent = message; $("error").style.display = "block";
  document.body.dataset.state = "error"; $("status").textContent = "";
}

async function forecast() {
  $("error").style.display = "none"; $("status").textContent = "Forecasting…";
  document.body.dataset.state = "busy";
  const text = $("csv").value.trim();
  const picked = known.find((s) => s.id === $("known").value);
  let body;
  if (text) body = {records: parseCsv(text), include_history: true};
  else if (picked) body = {series: [{id: picked.id, dates: picked.history.dates, values: picked.history.values}],
                           include_history: true};
  else return showError("Paste a CSV history, drop a file on the box, or pick a series the run knows.");
  try { answer = await call("/forecast", body); } catch (error) { return showError(error.message); }
  $("which").innerHTML = answer.forecasts.map((f) => `<option>${escapeHtml(f.id)}</option>`).join("");
  $("which").hidden = answer.forecasts.length < 2;
  show(answer.forecasts[0]);
  $("status").textContent = ""; document.body.dataset.state = "done";
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
}
const fmt = (v) => v === null ? "" : Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(4);

function show(f) {
  $("result").hidden = false;
  $("title").textContent = f.id;
  $("model").textContent = `${f.model}${f.known ? "" : " (a series the run did not know)"}`;
  const levels = Object.keys(f.quantiles).sort((a, b) => a - b);
  const low = f.quantiles[levels[0]], high = f.quantiles[levels[levels.length - 1]];
  plot(f.history || {dates: [], values: []}, f, low, high);
  $("numbers").innerHTML = `<tr><th>date</th><th>point</th>${levels.map((q) => `<th>${q}</th>`).join("")}</tr>` +
    f.dates.map((d, i) => `<tr data-date="${escapeHtml(d)}"><td>${escapeHtml(d)}</td><td>${fmt(f.point[i])}</td>` +
      levels.map((q) => `<td>${fmt(f.quantiles[q][i])}</td>`).join("") + "</tr>").join("");
}

function plot(history, f, low, high) {
  const W = 860, H = 320, L = 56, R = 12, T = 12, B = 28;
  const past = history.values.length, n = past + f.dates.length;
  const values = [...history.values, ...f.point, ...(low || []), ...(high || [])].filter((v) => v !== null);
  let lo = Math.min(...values), hi = Math.max(...values);
  if (hi === lo) { hi += 1; lo -= 1; }
  const x = (i) => L + (W - L - R) * i / Math.max(n - 1, 1), y = (v) => T + (H - T - B) * (hi - v) / (hi - lo);
  const path = (vs, start) => vs.map((v, i) => v === null ? "" : `${i && vs[i - 1] !== null ? "L" : "M"}${x(start + i).toFixed(1)},${y(v).toFixed(1)}`).join("");
  let svg = `<line class="axis" x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}"/>`;
  for (let k = 0; k <= 4; k++) {
    const v = lo + (hi - lo) * k / 4;
    svg += `<line class="axis" x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" opacity=".5"/>` +
           `<text class="tick" x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${fmt(v)}</text>`;
  }
  const dates = [...history.dates, ...f.dates];
  // the last date, and the others where they leave room for it (about 90 px of text each)
  [0, Math.floor(past / 2), past, n - 1].filter((i, j, a) => i >= 0 && i < n && a.indexOf(i) === j &&
    (i === n - 1 || x(n - 1) - x(i) > 90)).forEach((i) => {
    const anchor = i === 0 ? "start" : i === n - 1 ? "end" : "middle";  // the ends stay inside the chart
    svg += `<text class="tick" x="${x(i)}" y="${H - 8}" text-anchor="${anchor}">${escapeHtml(dates[i])}</text>`;
  });
  if (low && high) {
    const upper = high.map((v, i) => `${i ? "L" : "M"}${x(past + i).toFixed(1)},${y(v).toFixed(1)}`).join("");
    const lower = low.map((v, i) => `L${x(past + i).toFixed(1)},${y(v).toFixed(1)}`).reverse().join("");
    svg += `<path class="band" d="${upper}${lower}Z"/>`;
  }
  if (past) svg += `<line class="axis" x1="${x(past)}" x2="${x(past)}" y1="${T}" y2="${H - B}" stroke-dasharray="4 4"/>`;
  svg += `<path class="history" d="${path(history.values, 0)}"/>`;
  const joined = past ? [history.values[past - 1], ...f.point] : f.point;
  svg += `<path class="point" d="${path(joined, past ? past - 1 : 0)}"/>`;
  $("chart").innerHTML = svg;
}

const box = $("csv");
box.addEventListener("dragover", (e) => { e.preventDefault(); box.classList.add("over"); });
box.addEventListener("dragleave", () => box.classList.remove("over"));
box.addEventListener("drop", (e) => {
  e.preventDefault(); box.classList.remove("over");
  const file = e.dataTransfer.files[0];
  if (file) file.text().then((text) => { box.value = text; });
});
$("known").addEventListener("change", () => { if ($("known").value) box.value = ""; });
$("which").addEventListener("change", () => show(answer.forecasts.find((f) => f.id === $("which").value)));
$("go").addEventListener("click", forecast);

async function loadSeries() {
  try { known = (await call("/series")).series; } catch (error) { return showError(error.message); }
  $("error").style.display = "none";
  $("known").innerHTML = '<option value="">— a series the run knows —</option>' + known.map((s) =>
    `<option value="${escapeHtml(s.id)}">${escapeHtml(s.id)} · ${escapeHtml(s.model)}</option>`).join("");
  return true;
}

async function start() {
  $("token").hidden = !CONFIG.needsToken;
  $("token").addEventListener("change", loadSeries);
  if (CONFIG.needsToken && !token()) return showError("This server needs a token: enter it beside Forecast.");
  if (!(await loadSeries())) return;
  const query = new URLSearchParams(location.search);
  if (query.get("csv") !== null) { box.value = query.get("csv"); forecast(); }
  else if (query.get("series") !== null) { $("known").value = query.get("series"); forecast(); }
}
start();
</script>
</body>
</html>
"""
