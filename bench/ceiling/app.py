"""The ceiling: a bare FastAPI + Jinja2 app rendering a thread page of the same shape as ours.

No database, no middleware, no session: posts live in memory and one template renders
them (header, breadcrumb, 25 articles with author, time, permalink, body HTML of the
same size as the benchmark corpus's, a footer of reaction counts). `make bench` serves
it with the same uvicorn settings as the forum and prints the forum's pages as a ratio
of it, measured in the same run, so the machine's load cancels out.

Run: uvicorn bench.ceiling.app:app --workers 2
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

POSTS = 25
WORDS = ("je diminue le lormétazépam depuis trois semaines et les nuits sont difficiles mais je tiens bon "
         "ik bouw af van diazepam sinds twee weken en de slaap wordt beter merci courage bedankt").split()

env = Environment(loader=FileSystemLoader(Path(__file__).parent), autoescape=select_autoescape(default=True),
                  trim_blocks=True, lstrip_blocks=True, auto_reload=False)


def _posts() -> list[dict[str, object]]:
    rng = random.Random(42)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    posts = []
    for i in range(POSTS):
        paragraphs = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60))) for _ in range(2)]
        posts.append({"id": 1000 + i, "author": f"membre{rng.randint(1, 1000)}",
                      "created_at": start + dt.timedelta(minutes=i),
                      "body_html": "".join(f"<p>{p}</p>\n" for p in paragraphs),
                      "reactions": {"support": rng.randint(0, 4), "thanks": rng.randint(0, 3)}})
    return posts


THREAD = {"id": 1, "title": "Sevrage du lormétazépam : semaine 3", "lang": "fr", "category": "Diminuer maintenant",
          "posts": _posts()}

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/fr/t/{thread_id}")
def thread(request: Request, thread_id: int) -> HTMLResponse:
    html = env.get_template("thread.html").render(thread=THREAD, path=request.url.path)
    return HTMLResponse(html)


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
