"""The API docs at /docs and the OpenAPI document at /openapi.json, served by this server alone.

FastAPI's own /docs loads Swagger UI from a CDN, so it is blank on a machine without internet; here Swagger UI's
files come from the fastapi-offline package. The OpenAPI document names the model's columns, its categories and
training means, so with a token it is served only to authorized callers; the docs page itself is a shell that
asks for the token (kept for the tab, shared with the page at /; a link may carry it as `#token=...`) and sends
it with every request it makes.
"""

from __future__ import annotations

import html
import json
from importlib.resources import files

from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"


def add_docs(app: FastAPI, guard=None) -> None:
    """/docs, its assets and /openapi.json on an app created with docs_url, redoc_url and openapi_url None."""
    app.mount(ASSETS_URL, StaticFiles(directory=str(files("fastapi_offline") / "static")), name="docs-assets")
    protected = [Depends(guard)] if guard is not None else []

    @app.get("/openapi.json", include_in_schema=False, dependencies=protected)
    async def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    page = (_PAGE.replace("__TITLE__", html.escape(f"{app.title} · API docs"))
            .replace("__NEEDS_TOKEN__", json.dumps(guard is not None)))

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page)


# Relative URLs, so that the page works behind a proxy that serves the app under a prefix.
_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<link rel="icon" href="docs-assets/favicon.png">
<link rel="stylesheet" href="docs-assets/swagger-ui.css">
<style>
  #token-form { max-width: 460px; margin: 48px auto; font: 15px/1.5 system-ui, sans-serif; }
  #token-form input { width: 100%; padding: 8px 10px; margin: 8px 0; font: inherit; box-sizing: border-box; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<form id="token-form" hidden>
  <label for="token"><strong>This server needs a token</strong> to show its API; it is kept for this tab.</label>
  <input id="token" type="password" placeholder="Bearer token" autocomplete="off" required>
  <button type="submit">Show the API</button>
</form>
<div id="swagger-ui"></div>
<script src="docs-assets/swagger-ui-bundle.js"></script>
<script>
"use strict";
(function () {
  var TOKEN_KEY = "trainwright-token";  // the key the page at / keeps the token under
  var needsToken = __NEEDS_TOKEN__;
  var form = document.getElementById("token-form");
  var linked = new URLSearchParams(location.hash.slice(1)).get("token");  // as on the page at /
  if (linked) {
    sessionStorage.setItem(TOKEN_KEY, linked);
    history.replaceState(null, "", location.pathname);
  }
  function show() {
    SwaggerUIBundle({
      url: "openapi.json", dom_id: "#swagger-ui", deepLinking: true,
      requestInterceptor: function (request) {
        var token = sessionStorage.getItem(TOKEN_KEY);
        if (token && !request.headers.Authorization) request.headers.Authorization = "Bearer " + token;
        return request;
      }
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, document.getElementById("token").value.trim());
    form.hidden = true;
    show();
  });
  if (needsToken && !sessionStorage.getItem(TOKEN_KEY)) form.hidden = false; else show();
})();
</script>
</body>
</html>
"""
