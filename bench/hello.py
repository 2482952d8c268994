"""A bare Flask "hello world": the ceiling that bench/throughput.py compares pages with.

    .venv/bin/gunicorn --no-control-socket -w 2 bench.hello:app

No database, templates, session or extensions: what Flask, Werkzeug and gunicorn cost
for one tiny response, so "1/N" says how many hello requests one page request costs.
"""
from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
