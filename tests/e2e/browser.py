"""Debian's Chromium driven by Playwright, and the page checks axe-core does not make.

Never a downloaded browser build: the executable is the system's chromium
(`FORUM_E2E_CHROMIUM` to point elsewhere). axe-core is vendored under vendor/
(npm package axe-core, MPL-2.0; see vendor/README.md) and injected only in
contexts opened with `bypass_csp=True`, as the site's CSP forbids inline scripts.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from functools import cache
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
AXE_PATH = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"  # axe-core 4.14.1
# What axe checks: WCAG 2.0/2.1 A and AA, plus its best practices (reported, and gated on impact).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
MIN_TARGET_PX = 44  # WCAG 2.5.5 (AAA) size; 2.5.8 (AA) asks 24 px


def chromium_path() -> str | None:
    configured = os.environ.get("FORUM_E2E_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@cache
def axe_source() -> str:
    data = AXE_PATH.read_bytes()
    if hashlib.sha256(data).hexdigest() != AXE_SHA256:
        raise RuntimeError(f"{AXE_PATH} is not the vendored axe-core (checksum differs): see vendor/README.md")
    return data.decode("utf-8")


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the current page (the context must bypass CSP)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    result = page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']}); return r.violations.map(v => ({id: v.id, impact: v.impact,"
        " help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' +"
        " (n.failureSummary || '').slice(0, 200))})); }",
        AXE_TAGS,
    )
    return list(result)


def page_width(page: Any) -> dict[str, int]:
    return dict(page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    ))


def widest_elements(page: Any, limit: int = 5) -> list[str]:
    """What sticks out past the viewport: tag, class and right edge, for a failure message."""
    return list(page.evaluate(
        """(limit) => {
          const out = [];
          for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.right > window.innerWidth + 1) {
              out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} right=${Math.round(r.right)}`);
            }
          }
          return out.slice(-limit);
        }""",
        limit,
    ))


def unlabelled_controls(page: Any) -> list[str]:
    """Visible form controls with no accessible name from a label (or aria-label/labelledby)."""
    return list(page.evaluate(
        """() => {
          const out = [];
          for (const el of document.querySelectorAll('input, select, textarea')) {
            if (el.type === 'hidden' || el.type === 'submit' || el.type === 'button') continue;
            const labelled = (el.labels && el.labels.length) || el.getAttribute('aria-label')
              || el.getAttribute('aria-labelledby');
            if (!labelled) out.push(el.outerHTML.slice(0, 120));
          }
          return out;
        }"""
    ))


def duplicate_ids(page: Any) -> list[str]:
    return list(page.evaluate(
        """() => {
          const seen = new Map();
          for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
          return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
        }"""
    ))


# The main actions a thumb must hit: buttons, button-like links, the header's links,
# post and diary actions. Links inside running text are exempt (WCAG 2.5.8 "inline").
TARGET_SELECTOR = (
    "main button, main .button, main input[type=submit], .site-header a, .site-header button, "
    ".post-actions a, .actions a, .diary-nav a, .pagination a"
)


def small_targets(page: Any, minimum: int = MIN_TARGET_PX) -> list[str]:
    return list(page.evaluate(
        """([selector, minimum]) => {
          const out = [];
          for (const el of document.querySelectorAll(selector)) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 && r.height === 0) continue;  // not shown (closed <details>, print-only)
            if (getComputedStyle(el).visibility === 'hidden') continue;
            if (r.height < minimum - 0.5 || r.width < minimum - 0.5) {
              out.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}"`
                + ` ${Math.round(r.width)}x${Math.round(r.height)}`);
            }
          }
          return out;
        }""",
        [TARGET_SELECTOR, minimum],
    ))


MIN_TAP_PX = 24  # WCAG 2.2, 2.5.8 Target Size (Minimum), AA


def small_tap_targets(page: Any, minimum: int = MIN_TAP_PX) -> list[str]:
    """Every visible link, button, summary and control smaller than `minimum` CSS px either way.

    WCAG 2.5.8's exceptions, as far as a script can tell them: a target inside a
    sentence (its block holds words of its own, outside any target: "Already a
    member? Log in") is exempt; a control inside its label is measured by the
    label; posts' and resource pages' own text is members' and editors' prose.
    """
    return list(page.evaluate(
        """(minimum) => {
          const targets = 'a[href], button, summary, select, textarea, input:not([type=hidden]), label';
          const blockOf = (el) => {
            let node = el.parentElement;
            while (node && getComputedStyle(node).display.startsWith('inline')) node = node.parentElement;
            return node;
          };
          const ownWords = (block) => {
            let text = '';
            const walk = (node) => {
              for (const child of node.childNodes) {
                if (child.nodeType === 3) text += child.textContent;
                else if (child.nodeType === 1 && !child.matches(targets) && !child.matches('.visually-hidden'))
                  walk(child);
              }
            };
            walk(block);
            return /[A-Za-zÀ-ÿ]{2,}/.test(text);
          };
          const out = [];
          for (const el of document.querySelectorAll(targets)) {
            if (el.closest('.post-body, .resource-body, .trap, .skip-link, .visually-hidden, .snippet')) continue;
            if (el.matches('label') && !el.querySelector('input, select, textarea')) continue;
            if (el.matches('input, select, textarea') && el.closest('label')) continue;
            const r = el.getBoundingClientRect();
            if (r.width === 0 && r.height === 0) continue;
            const style = getComputedStyle(el);
            if (style.visibility === 'hidden' || style.display === 'none') continue;
            if (r.height >= minimum - 0.5 && r.width >= minimum - 0.5) continue;
            if (el.matches('a, button') && ownWords(blockOf(el))) continue;  // in a sentence
            out.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}" `
              + `${Math.round(r.width)}x${Math.round(r.height)} in ${el.parentElement.tagName.toLowerCase()}`
              + `.${[...el.parentElement.classList].join('.')}`);
          }
          return out;
        }""",
        minimum,
    ))
