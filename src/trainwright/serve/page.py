"""The page at `/`: try the model in a browser. One self-contained document (inline CSS and JS, nothing
fetched from elsewhere) that posts to /predict.

A text area for a model that reads one text, otherwise a form generated from the input schema. Query
parameters fill the form and submit it (`/?text=...`, or `/?review=...&stars=4`), so a headless browser can
drive the page without a driver. When the server needs a token, the page holds no more than the model's name:
it asks for the token (or takes it from a link's `#token=...`), keeps it for the tab, and builds the form from
/metadata.
"""

from __future__ import annotations

import html
import json

from .service import ModelService


def render_page(service: ModelService, needs_token: bool) -> str:
    if needs_token:
        # The shell alone: the columns, categories and means come from /metadata once the token is given.
        config = {"name": service.name, "task": "", "target": "", "schema": None, "needsToken": True}
    else:
        config = {"name": service.name, "task": service.task, "target": service.predictor.target_column,
                  "schema": service.schema.describe(), "needsToken": False}
    # "<" escaped: a column name holding "</script>" must not end the script element
    data = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    return (_PAGE.replace("__STYLE__", STYLE).replace("__TOKEN_SCRIPT__", TOKEN_SCRIPT)
            .replace("__TITLE__", html.escape(f"{service.name} · trainwright"))
            .replace("__NAME__", html.escape(service.name)).replace("__TASK__", html.escape(config["task"]))
            .replace("__CONFIG__", data))


# The pages' look, shared with the image model's page (image_page.py)
STYLE = """  :root { --bg: #f5f6f8; --card: #fff; --ink: #1d2330; --muted: #6b7385; --line: #e3e6ec; --accent: #3559e0;
          --accent-soft: #dfe6fc; --bar: #c9cfdb; --bad: #b42318; --bad-soft: #fdecea; }
  @media (prefers-color-scheme: dark) {
    :root { --bg: #14171d; --card: #1d2129; --ink: #e8ebf1; --muted: #9aa3b5; --line: #2d333e; --accent: #7c97ff;
            --accent-soft: #263259; --bar: #3a4150; --bad: #ff8a80; --bad-soft: #3a1f1f; }
  }
  * { box-sizing: border-box; }
  body { margin: 0; background: var(--bg); color: var(--ink);
         font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  main { max-width: 760px; margin: 40px auto; padding: 0 20px; }
  header { display: flex; align-items: baseline; gap: 12px; margin-bottom: 18px; }
  h1 { font-size: 24px; margin: 0; letter-spacing: -0.01em; }
  .badge { font-size: 12px; color: var(--accent); background: var(--accent-soft); border-radius: 999px;
           padding: 2px 10px; font-weight: 600; }
  .badge:empty { display: none; }  /* the task, unknown until a token-guarded page has loaded /metadata */
  .brand { margin-left: auto; color: var(--muted); font-size: 13px; }
  .card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 22px;
          box-shadow: 0 1px 3px rgba(0, 0, 0, .05); margin-bottom: 18px; }
  label { display: block; font-weight: 600; font-size: 13px; margin: 0 0 6px; white-space: nowrap; overflow: hidden;
          text-overflow: ellipsis; }
  label .kind { font-weight: 400; color: var(--muted); margin-left: 6px; }
  .field { margin-bottom: 16px; min-width: 0; }
  #fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); column-gap: 16px; }
  #fields .wide { grid-column: 1 / -1; }
  textarea, input { width: 100%; font: inherit; color: inherit; background: transparent;
                    border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
  textarea { min-height: 120px; resize: vertical; }
  textarea:focus, input:focus { outline: 2px solid var(--accent-soft); border-color: var(--accent); }
  .actions { display: flex; align-items: center; gap: 14px; }
  button { font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0; border-radius: 8px;
           padding: 10px 22px; cursor: pointer; }
  button:disabled { opacity: .6; cursor: progress; }
  .hint { color: var(--muted); font-size: 13px; }
  .verdict { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; margin-bottom: 16px; }
  .verdict .caption { color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: .06em; }
  .verdict strong { font-size: 28px; }
  .verdict .confidence { color: var(--muted); }
  .verdict:last-child { margin-bottom: 0; }
  .chip { display: inline-block; background: var(--accent-soft); color: var(--accent); border-radius: 999px;
          padding: 2px 12px; font-size: 16px; font-weight: 600; margin-right: 6px; vertical-align: middle; }
  .bars { list-style: none; margin: 0; padding: 0; display: grid; align-items: center; gap: 10px 14px;
          grid-template-columns: fit-content(240px) 1fr 56px; }
  .bar-row { display: contents; }
  .bar-row .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .track { position: relative; height: 14px; background: var(--line); border-radius: 7px; overflow: hidden; }
  .fill { display: block; height: 100%; background: var(--bar); border-radius: 7px; }
  .bar-row.top .fill, .bar-row.chosen .fill { background: var(--accent); }
  .bar-row.top .name, .bar-row.chosen .name { font-weight: 600; }
  .threshold { position: absolute; left: 50%; top: 0; bottom: 0; border-left: 2px dashed var(--muted); }
  .pct { text-align: right; font-variant-numeric: tabular-nums; color: var(--muted); }
  .error { color: var(--bad); background: var(--bad-soft); border-radius: 8px; padding: 10px 14px; }
  footer { color: var(--muted); font-size: 13px; text-align: center; }
  footer a { color: inherit; }
  [hidden] { display: none !important; }
"""

# The pages' token handling (this page's and the image page's): a link may carry the token after '#token=' (a
# fragment never reaches a server's log); it is kept for the tab and taken out of the address bar. Expects
# TOKEN_KEY, model.needsToken, tokenField and tokenInput; answerOf reads a prediction's answer.
TOKEN_SCRIPT = """  var linked = new URLSearchParams(location.hash.slice(1)).get("token");
  if (linked) {
    sessionStorage.setItem(TOKEN_KEY, linked);
    history.replaceState(null, "", location.pathname + location.search);
  }
  var savedToken = sessionStorage.getItem(TOKEN_KEY);
  if (model.needsToken) { tokenField.hidden = false; if (savedToken) tokenInput.value = savedToken; }

  function authorization() {
    var token = tokenInput.value.trim();
    if (!token) return {};
    sessionStorage.setItem(TOKEN_KEY, token);
    return {Authorization: "Bearer " + token};
  }

  // A prediction's JSON answer, or an Error with the server's detail (a 401 asks for the token).
  function answerOf(response) {
    return response.json().catch(function () { return {}; }).then(function (answer) {
      if (response.status === 401) {
        tokenField.hidden = false;
        tokenInput.focus();
        throw new Error(answer.detail || "This server needs a token.");
      }
      if (!response.ok) throw new Error(answer.detail || ("HTTP " + response.status));
      return answer;
    });
  }"""

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
__STYLE__</style>
</head>
<body data-state="idle">
<main>
  <header><h1>__NAME__</h1><span id="task" class="badge">__TASK__</span><span class="brand">trainwright</span></header>
  <form id="form" class="card" autocomplete="off">
    <div id="fields"></div>
    <div id="token-field" class="field" hidden>
      <label for="token">Token <span class="kind">this server needs one; kept for this tab only</span></label>
      <input id="token" type="password" placeholder="Bearer token">
    </div>
    <div class="actions"><button id="submit" type="submit">Predict</button><span id="status" class="hint"></span></div>
  </form>
  <section id="result" class="card" aria-live="polite" hidden></section>
  <footer>POST <code>/predict</code> · <a href="docs">API docs</a> · <a href="metadata">metadata</a></footer>
</main>
<script id="model" type="application/json">__CONFIG__</script>
<script>
"use strict";
(function () {
  var model = JSON.parse(document.getElementById("model").textContent);
  var schema = model.schema;  // null when the server needs a token: then it comes from /metadata
  var form = document.getElementById("form");
  var fields = document.getElementById("fields");
  var result = document.getElementById("result");
  var status = document.getElementById("status");
  var button = document.getElementById("submit");
  var tokenField = document.getElementById("token-field");
  var tokenInput = document.getElementById("token");
  var TOKEN_KEY = "trainwright-token";

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // One input per column: a text area for text, a number box, or a text box suggesting the known categories.
  var columns = [];
  function addField(column, kind, id) {
    var wrapper = element("div", {"class": kind === "text" ? "field wide" : "field"});
    var label = element("label", {"for": id}, schema.takes_plain_texts ? "Text" : column);
    if (!schema.takes_plain_texts) {
      label.appendChild(element("span", {"class": "kind"}, kind));
    }
    wrapper.appendChild(label);
    var input;
    if (kind === "text") {
      input = element("textarea", {id: id, required: "", placeholder: "Type or paste a text"});
    } else if (kind === "number") {
      var mean = schema.numeric_means[column];
      input = element("input", {id: id, type: "number", step: "any",
                                placeholder: mean === undefined ? "" : "training mean " + Number(mean.toPrecision(4))});
    } else {
      input = element("input", {id: id, type: "text", list: id + "-known", placeholder: "missing"});
      var known = element("datalist", {id: id + "-known"});
      (schema.categories[column] || []).slice(0, 200).forEach(function (c) {
        known.appendChild(element("option", {value: c}));
      });
      wrapper.appendChild(known);
    }
    wrapper.appendChild(input);
    fields.appendChild(wrapper);
    columns.push({name: column, kind: kind, input: input});
  }
  function build() {
    schema.text.forEach(function (c, i) { addField(c, "text", "field-" + i); });
    schema.numeric.forEach(function (c, i) { addField(c, "number", "field-n" + i); });
    schema.categorical.forEach(function (c, i) { addField(c, "category", "field-c" + i); });
    if (schema.takes_plain_texts) columns[0].input.id = "text";
  }

__TOKEN_SCRIPT__

  // With a token: the model's inputs, from /metadata, which only an authorized caller may read.
  function loadModel() {
    status.textContent = "Loading the model…";
    return fetch("metadata", {headers: authorization()}).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) throw new Error(body.detail || ("HTTP " + response.status));
        schema = body.inputs;
        model.task = body.task;
        model.target = body.target;
        document.getElementById("task").textContent = body.task;
        build();
        status.textContent = "";
        result.hidden = true;
        button.textContent = "Predict";
      });
    });
  }

  function readInput() {
    if (schema.takes_plain_texts) return columns[0].input.value;
    var record = {};
    columns.forEach(function (c) {
      var value = c.input.value.trim();
      if (c.kind === "text") record[c.name] = c.input.value;
      else if (value !== "") record[c.name] = c.kind === "number" ? Number(value) : value;
    });
    return record;
  }

  function percent(p) { return (100 * p).toFixed(1) + "%"; }

  function bars(probabilities, chosen, threshold) {
    var list = element("ul", {"class": "bars", id: "bars"});
    Object.keys(probabilities).map(function (name) { return [name, probabilities[name]]; })
      .sort(function (a, b) { return b[1] - a[1]; })
      .forEach(function (entry) {
        var row = element("li", {"class": "bar-row" + (chosen(entry[0]) ? (threshold ? " chosen" : " top") : ""),
                                 "data-class": entry[0]});
        row.appendChild(element("span", {"class": "name", title: entry[0]}, entry[0]));
        var track = element("span", {"class": "track"});
        track.appendChild(element("span", {"class": "fill", style: "width:" + percent(entry[1])}));
        if (threshold) track.appendChild(element("span", {"class": "threshold", title: "0.5"}));
        row.appendChild(track);
        row.appendChild(element("span", {"class": "pct"}, percent(entry[1])));
        list.appendChild(row);
      });
    return list;
  }

  function show(prediction) {
    result.textContent = "";
    var verdict = element("div", {"class": "verdict"});
    verdict.appendChild(element("span", {"class": "caption"}, "Predicted " + model.target));
    if (model.task === "regression") {
      verdict.appendChild(element("strong", {id: "label"}, String(Number(prediction.value.toPrecision(6)))));
      result.appendChild(verdict);
    } else if (model.task === "multilabel") {
      var chips = element("strong", {id: "label"});
      prediction.labels.forEach(function (l) { chips.appendChild(element("span", {"class": "chip"}, String(l))); });
      if (!prediction.labels.length) chips.textContent = "none";
      verdict.appendChild(chips);
      result.appendChild(verdict);
      var chosen = prediction.labels.map(String);
      result.appendChild(bars(prediction.probabilities, function (n) { return chosen.indexOf(n) >= 0; }, true));
    } else {
      var label = String(prediction.label);
      verdict.appendChild(element("strong", {id: "label"}, label));
      verdict.appendChild(element("span", {"class": "confidence"}, percent(prediction.probabilities[label])));
      result.appendChild(verdict);
      result.appendChild(bars(prediction.probabilities, function (n) { return n === label; }, false));
    }
    result.hidden = false;
  }

  function fail(message) {
    result.textContent = "";
    result.appendChild(element("div", {"class": "error", id: "error"}, message));
    result.hidden = false;
  }

  function predict() {
    var headers = authorization();
    headers["Content-Type"] = "application/json";
    document.body.setAttribute("data-state", "loading");
    button.disabled = true;
    status.textContent = "Predicting…";
    var started = performance.now();
    return fetch("predict", {method: "POST", headers: headers, body: JSON.stringify({inputs: [readInput()]})})
      .then(function (response) {
        return answerOf(response).then(function (body) {
          show(body.predictions[0]);
          status.textContent = Math.round(performance.now() - started) + " ms";
          document.body.setAttribute("data-state", "done");
        });
      })
      .catch(function (error) {
        fail(error.message);
        status.textContent = "";
        document.body.setAttribute("data-state", "error");
      })
      .then(function () { button.disabled = false; });
  }

  // /?text=... (or one parameter per column) fills the form and submits it.
  function fillFromQuery() {
    var query = new URLSearchParams(location.search);
    var filled = false;
    columns.forEach(function (c, i) {
      var value = query.get(c.name);
      if (value === null && i === 0 && c.kind === "text") value = query.get("text");
      if (value !== null) { c.input.value = value; filled = true; }
    });
    if (filled) predict();
  }

  function unlock() {
    return loadModel().then(fillFromQuery).catch(function (error) {
      fail(error.message);
      status.textContent = "";
      tokenInput.focus();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (schema) predict(); else unlock();
  });

  if (schema) { build(); fillFromQuery(); }
  else { button.textContent = "Show the model"; if (savedToken) unlock(); }
})();
</script>
</body>
</html>
"""
