"""`make screenshots`: the pages of pages.py in French and Dutch at 390 px and 1280 px, as PNG files.

Serves a fresh forum with the browser tests' world (world.py) and writes
var/screenshots/<lang>-<width>-<role>-<page>.png (not committed), so a person can
look at every page as a member would. Prints each page's width and height: a
page wider than its viewport is marked.

    python -m tests.e2e.screenshots [--out DIR] [--lang fr] [--width 390] [--only diary]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

from tests.e2e.browser import CHROMIUM_ARGS, chromium_path, page_width
from tests.e2e.pages import LANGS, PAGES, WIDTHS
from tests.e2e.server import ROOT, LiveServer
from tests.e2e.world import build_world


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.replace("{lang}", "").lower()).strip("-") or "home"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "screenshots")
    parser.add_argument("--lang", action="append", choices=LANGS)
    parser.add_argument("--width", action="append", type=int)
    parser.add_argument("--only", help="only pages whose path contains this text")
    args = parser.parse_args(argv)
    executable = chromium_path()
    if executable is None:
        print("no system Chromium: apt-get install chromium", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    wide = 0
    with tempfile.TemporaryDirectory() as tmp, LiveServer(Path(tmp)) as server, sync_playwright() as playwright:
        assert server.db is not None
        with server.db.session() as session:
            world = build_world(session, server.settings)
            session.commit()
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        for width in args.width or WIDTHS:
            for lang in args.lang or LANGS:
                for role, paths in PAGES.items():
                    context = browser.new_context(base_url=server.url, device_scale_factor=1,
                                                  viewport={"width": width, "height": 844 if width < 600 else 900})
                    if role != "anonymous":
                        context.add_cookies([{"name": "tk_session", "value": world.tokens[role], "url": server.url}])
                    page = context.new_page()
                    for path in paths:
                        if args.only and args.only not in path:
                            continue
                        page.goto(world.fill(path, lang))
                        size = page_width(page)
                        height = page.evaluate("document.documentElement.scrollHeight")
                        name = f"{lang}-{width}-{role}-{_slug(path)}.png"
                        page.screenshot(path=str(args.out / name), full_page=True)
                        mark = "  WIDER THAN THE VIEWPORT" if size["scroll"] > size["inner"] else ""
                        wide += bool(mark)
                        print(f"{size['scroll']:>5} x {height:>5}  {name}{mark}")
                    context.close()
        browser.close()
    print(f"screenshots in {args.out}")
    return 1 if wide else 0


if __name__ == "__main__":
    raise SystemExit(main())
