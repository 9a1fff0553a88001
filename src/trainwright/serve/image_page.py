"""The page at `/` for an image model: drop a picture (or choose one), see it, and see the top classes as bars.

One self-contained document like page.py's (its style, nothing fetched from elsewhere) that posts the picture to
/predict as multipart/form-data. `/?image=URL` (a data: URL, or one on this server) loads a picture and submits
it, so a headless browser can drive the page without a driver. With a token, the page asks for it (or takes it
from a link's `#token=...`) and keeps it for the tab, as page.py does.
"""

from __future__ import annotations

import html
import json

from .page import STYLE, TOKEN_SCRIPT
from .service import ModelService

TOP_CLASSES = 5  # bars shown; the response has every class's probability


def render_image_page(service: ModelService, needs_token: bool) -> str:
    config = {"name": service.name, "task": "" if needs_token else service.task,
              "target": "" if needs_token else service.predictor.target_column, "top": TOP_CLASSES,
              "needsToken": needs_token}
    data = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")  # no "</script>" inside the script
    return (_PAGE.replace("__STYLE__", STYLE).replace("__TOKEN_SCRIPT__", TOKEN_SCRIPT)
            .replace("__TITLE__", html.escape(f"{service.name} · trainwright"))
            .replace("__NAME__", html.escape(service.name)).replace("__TASK__", html.escape(config["task"]))
            .replace("__CONFIG__", data))


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
__STYLE__
  #drop { display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 8px;
          min-height: 220px; border: 2px dashed var(--line); border-radius: 12px; cursor: pointer; padding: 16px;
          text-align: center; color: var(--muted); margin-bottom: 16px; font-weight: 400; white-space: normal; }
  #drop.over { border-color: var(--accent); background: var(--accent-soft); }
  #drop strong { color: var(--ink); }
  #preview { max-width: 100%; max-height: 260px; border-radius: 8px; image-rendering: pixelated;
             min-width: 112px; object-fit: contain; background: var(--line); }
  #file { display: none; }
</style>
</head>
<body data-state="idle">
<main>
  <header><h1>__NAME__</h1><span id="task" class="badge">__TASK__</span><span class="brand">trainwright</span></header>
  <form id="form" class="card" autocomplete="off">
    <label id="drop" for="file">
      <img id="preview" alt="The picture to classify" hidden>
      <span id="drop-text"><strong>Drop a picture here</strong> or click to choose one</span>
      <span class="hint">PNG, JPEG, BMP, GIF, WebP or TIFF</span>
    </label>
    <input id="file" type="file" accept="image/*">
    <div id="token-field" class="field" hidden>
      <label for="token">Token <span class="kind">this server needs one; kept for this tab only</span></label>
      <input id="token" type="password" placeholder="Bearer token">
    </div>
    <div class="actions"><button id="submit" type="submit" disabled>Predict</button>
      <span id="status" class="hint"></span></div>
  </form>
  <section id="result" class="card" aria-live="polite" hidden></section>
  <footer>POST <code>/predict</code> (multipart <code>file</code>, or JSON <code>{"images": [base64]}</code>) ·
    <a href="docs">API docs</a> · <a href="metadata">metadata</a></footer>
</main>
<script id="model" type="application/json">__CONFIG__</script>
<script>
"use strict";
(function () {
  var model = JSON.parse(document.getElementById("model").textContent);
  var form = document.getElementById("form");
  var drop = document.getElementById("drop");
  var chooser = document.getElementById("file");
  var preview = document.getElementById("preview");
  var result = document.getElementById("result");
  var status = document.getElementById("status");
  var button = document.getElementById("submit");
  var tokenField = document.getElementById("token-field");
  var tokenInput = document.getElementById("token");
  var TOKEN_KEY = "trainwright-token";
  var picture = null;  // the Blob to send

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

__TOKEN_SCRIPT__

  function choose(blob, name) {
    picture = blob;
    picture.label = name || "picture";
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.src = URL.createObjectURL(blob);
    preview.hidden = false;
    document.getElementById("drop-text").textContent = picture.label;
    button.disabled = false;
  }

  chooser.addEventListener("change", function () {
    if (chooser.files.length) { choose(chooser.files[0], chooser.files[0].name); predict(); }
  });
  ["dragenter", "dragover"].forEach(function (kind) {
    drop.addEventListener(kind, function (event) { event.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (kind) {
    drop.addEventListener(kind, function (event) { event.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (event) {
    var files = event.dataTransfer.files;
    if (files.length) { choose(files[0], files[0].name); predict(); }
  });

  function percent(p) { return (100 * p).toFixed(1) + "%"; }

  function show(prediction) {
    result.textContent = "";
    var label = String(prediction.label);
    var verdict = element("div", {"class": "verdict"});
    verdict.appendChild(element("span", {"class": "caption"}, "Predicted " + (model.target || "class")));
    verdict.appendChild(element("strong", {id: "label"}, label));
    verdict.appendChild(element("span", {"class": "confidence"}, percent(prediction.probabilities[label])));
    result.appendChild(verdict);
    var list = element("ul", {"class": "bars", id: "bars"});
    Object.keys(prediction.probabilities).map(function (name) { return [name, prediction.probabilities[name]]; })
      .sort(function (a, b) { return b[1] - a[1]; }).slice(0, model.top)
      .forEach(function (entry) {
        var row = element("li", {"class": "bar-row" + (entry[0] === label ? " top" : ""), "data-class": entry[0]});
        row.appendChild(element("span", {"class": "name", title: entry[0]}, entry[0]));
        var track = element("span", {"class": "track"});
        track.appendChild(element("span", {"class": "fill", style: "width:" + percent(entry[1])}));
        row.appendChild(track);
        row.appendChild(element("span", {"class": "pct"}, percent(entry[1])));
        list.appendChild(row);
      });
    result.appendChild(list);
    result.hidden = false;
  }

  function fail(message) {
    result.textContent = "";
    result.appendChild(element("div", {"class": "error", id: "error"}, message));
    result.hidden = false;
    status.textContent = "";
    document.body.setAttribute("data-state", "error");
  }

  function predict() {
    if (!picture) return;
    var body = new FormData();
    body.append("file", picture, picture.label);
    document.body.setAttribute("data-state", "loading");
    button.disabled = true;
    status.textContent = "Predicting…";
    var started = performance.now();
    return fetch("predict", {method: "POST", headers: authorization(), body: body})
      .then(function (response) {
        return answerOf(response).then(function (answer) {
          show(answer.predictions[0]);
          status.textContent = Math.round(performance.now() - started) + " ms";
          document.body.setAttribute("data-state", "done");
        });
      })
      .catch(function (error) { fail(error.message); })
      .then(function () { button.disabled = false; });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); predict(); });

  // /?image=URL: load that picture and predict it.
  var address = new URLSearchParams(location.search).get("image");
  if (address) {
    fetch(address).then(function (response) { return response.blob(); })
      .then(function (blob) { choose(blob, address.slice(0, 5) === "data:" ? "picture" : address); predict(); })
      .catch(function (error) { fail("Cannot load " + address.slice(0, 60) + ": " + error.message); });
  }
})();
</script>
</body>
</html>
"""
