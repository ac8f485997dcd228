"""Focus rings against what they are drawn beside (WCAG 2.1 AA 1.4.11, non-text contrast 3:1), read from the CSS.

The colours are the stylesheet's custom properties, light and dark; each focus ring is checked against every
surface a control sits on, and a control framed or filled in crisis red (which no single ring colour can be 3:1
against as well as against white) must carry the two-colour indicator of WCAG technique C40: a band of the card's
colour inside the ring that is 3:1 against both the ring and the red.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[2] / "app" / "static" / "css" / "site.css").read_text(encoding="utf-8")
SURFACES = ("bg", "card", "crisis-bg", "warn-bg", "mark")
# Controls framed or filled with --crisis-line (the help pill, help-line buttons and numbers, danger buttons,
# fields in error).
RED_FRAMED = ('.header-help', '.phone-button', '.danger', '[aria-invalid="true"]', '.resource-body a[href^="tel:"]')


def _palette(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", block))


def _schemes() -> dict[str, dict[str, str]]:
    light = _palette(CSS.split("@media (prefers-color-scheme: dark)")[0])
    dark_block = CSS.split("@media (prefers-color-scheme: dark)")[1].split("}\n}")[0]
    return {"light": light, "dark": {**light, **_palette(dark_block)}}


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _rules() -> list[tuple[str, str]]:
    css = re.sub(r"/\*.*?\*/", "", CSS, flags=re.DOTALL)
    return [(selectors.strip(), body) for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)]


def _focus_rules() -> list[tuple[str, str]]:
    return [(selectors, body) for selectors, body in _rules() if ":focus" in selectors and "outline" in body]


def _var(body: str, prop: str) -> str | None:
    found = re.search(prop + r":[^;]*var\(--([a-z-]+)\)", body)
    return found.group(1) if found else None


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_focus_ring_is_3_to_1_against_every_surface(scheme: str) -> None:
    colours = _schemes()[scheme]
    rings = {_var(body, "outline") for _selectors, body in _focus_rules()} - {None}
    assert rings, "no focus ring found in site.css"
    low = [(ring, surface, round(contrast(colours[ring], colours[surface]), 2))
           for ring in rings if ring for surface in SURFACES if contrast(colours[ring], colours[surface]) < 3]
    assert not low, low


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("control", RED_FRAMED)
def test_a_red_framed_control_has_a_ring_set_off_from_its_red(scheme: str, control: str) -> None:
    """The help pill's orange ring beside its red frame was 1.5:1 (outsider walk)."""
    colours = _schemes()[scheme]
    rules = [body for selectors, body in _focus_rules()
             if any(s.strip() == f"{control}:focus-visible" for s in selectors.split(","))]
    assert rules, f"no focus rule of its own for {control}"
    ring, band = _var(rules[0], "outline"), _var(rules[0], "box-shadow")
    assert ring and band, rules[0]
    red = colours["crisis-line"]
    assert contrast(colours[band], red) >= 3 and contrast(colours[band], colours[ring]) >= 3
    assert all(contrast(colours[ring], colours[surface]) >= 3 for surface in SURFACES)
    assert re.search(r"box-shadow:\s*0 0 0 2px", rules[0]) and re.search(r"outline-offset:\s*2px", rules[0])
