"""Server-rendered SVG chart of a taper: the member's dose and their symptom score.

No JavaScript. The dose is a solid line with round markers; the symptom score is
hatched bars on a second scale (whole numbers, 0 to ``symptom_max``). Everything
is drawn in ``currentColor``, so it has the page text's contrast on light and dark
themes, and the two series differ by shape, not by colour. Text is escaped; the
template renders the same points as a data table for screen-reader users.

Text in an SVG scales with its viewBox, so one drawing cannot have readable
labels on a phone and on a desk: ``NARROW`` is drawn for phones (labels stay
about 13 px at 360 px wide), ``WIDE`` for larger screens, and the page's CSS
shows one of them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape, quoteattr

Y_TICKS = 4


@dataclass(frozen=True, slots=True)
class Layout:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    font_size: int
    max_x_ticks: int


# The left margin holds the dose axis title and numbers such as "0,63" or "12,5" side by side, apart (a phone's
# 50 had them overlap).
WIDE = Layout(640, 320, 60, 56, 16, 48, 12, 6)
NARROW = Layout(360, 280, 60, 44, 14, 44, 13, 3)


@dataclass(frozen=True, slots=True)
class ChartPoint:
    date: date
    dose_mg: float | None = None
    symptom_score: float | None = None


def _nice_max(value: float) -> float:
    if value <= 0 or not math.isfinite(value):
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 2.5, 5, 10):
        if value <= m * magnitude:
            return m * magnitude
    return 10 * magnitude


def _whole_max(value: float) -> int:
    """A top for a whole-number scale whose Y_TICKS steps are whole numbers too."""
    step = max(1, math.ceil(max(value, 1.0) / Y_TICKS))
    return step * Y_TICKS


def _fmt(value: float) -> str:
    return f"{value:g}"


class _Frame:
    def __init__(self, layout: Layout, points: Sequence[ChartPoint], dose_max: float, symptom_max: float):
        self.layout = layout
        self.first = min(p.date for p in points) if points else date(2000, 1, 1)
        last = max(p.date for p in points) if points else self.first
        self.days = max((last - self.first).days, 0)
        self.dose_max, self.symptom_max = dose_max, symptom_max
        self.plot_w = layout.width - layout.left - layout.right
        self.plot_h = layout.height - layout.top - layout.bottom
        # Half a day's slot on each side, so the first and last bars stay inside the axes.
        self.bar_w = max(2.0, min(16.0, self.plot_w / (self.days + 1) * 0.6))
        self.inset = self.bar_w / 2 + 4

    def x(self, d: date) -> float:
        usable = self.plot_w - 2 * self.inset
        fraction = (d - self.first).days / self.days if self.days else 0.5
        return self.layout.left + self.inset + usable * fraction

    def y_dose(self, v: float) -> float:
        return self.layout.top + self.plot_h * (1 - v / self.dose_max)

    def y_symptom(self, v: float) -> float:
        return self.layout.top + self.plot_h * (1 - v / self.symptom_max)


#: A letter's height above its baseline, and below it, as fractions of the font size (usual sans-serif faces).
ASCENT, DESCENT = 0.8, 0.25
#: A digit's width (or a decimal comma's, generously), as a fraction of the font size.
DIGIT_WIDTH = 0.6


def axis_title_baselines(lay: Layout) -> tuple[int, int]:
    """The x of the dose axis title's baseline (rotated -90°) and of the symptom axis title's (rotated 90°)."""
    ascent = math.ceil(lay.font_size * ASCENT)
    return ascent + 2, lay.width - ascent - 2


def _axes(f: _Frame, dose_label: str, symptom_label: str, number: Callable[[float], str]) -> list[str]:
    lay = f.layout
    bottom, right, middle = lay.top + f.plot_h, lay.left + f.plot_w, lay.top + f.plot_h / 2
    # The axis titles stand on their baselines with their letters' tops ASCENT from it, towards the drawing's
    # edge (2 units inside it); the numbers of the scales have the rest of the margin (tests/diary/test_chart.py).
    left_title, right_title = axis_title_baselines(lay)
    out = [
        f'<path d="M{lay.left} {lay.top}V{bottom}H{right}V{lay.top}" fill="none" stroke="currentColor"/>',
        f'<text x="{left_title}" y="{middle:.1f}" transform="rotate(-90 {left_title} {middle:.1f})" '
        f'text-anchor="middle">{escape(dose_label)}</text>',
        f'<text x="{right_title}" y="{middle:.1f}" '
        f'transform="rotate(90 {right_title} {middle:.1f})" '
        f'text-anchor="middle">{escape(symptom_label)}</text>',
    ]
    for i in range(Y_TICKS + 1):
        dose = f.dose_max * i / Y_TICKS
        symptom = f.symptom_max * i / Y_TICKS
        y = f.y_dose(dose)
        out.append(f'<path d="M{lay.left - 4} {y:.1f}H{lay.left}M{right} {y:.1f}H{right + 4}" stroke="currentColor"/>')
        dose_text = escape(number(round(dose, 2)))
        out.append(f'<text x="{lay.left - 6}" y="{y + 4:.1f}" text-anchor="end">{dose_text}</text>')
        out.append(f'<text x="{right + 6}" y="{y + 4:.1f}">{escape(number(round(symptom, 2)))}</text>')
    return out


def _x_ticks(f: _Frame, points: Sequence[ChartPoint], date_formatter: Callable[[date], str]) -> list[str]:
    dates = sorted({p.date for p in points})
    limit = f.layout.max_x_ticks
    if len(dates) > limit:
        step = (len(dates) - 1) / (limit - 1)
        dates = [dates[round(i * step)] for i in range(limit)]
    bottom = f.layout.top + f.plot_h
    out = []
    for d in dates:
        x = f.x(d)
        out.append(f'<path d="M{x:.1f} {bottom}V{bottom + 4}" stroke="currentColor"/>')
        out.append(f'<text x="{x:.1f}" y="{bottom + f.layout.font_size + 6}" text-anchor="middle">'
                   f"{escape(date_formatter(d))}</text>")
    return out


def _bars(f: _Frame, points: Sequence[ChartPoint], fill: str) -> list[str]:
    out = []
    bottom = f.layout.top + f.plot_h
    for p in points:
        if p.symptom_score is None:
            continue
        value = min(max(p.symptom_score, 0.0), f.symptom_max)
        y = f.y_symptom(value)
        out.append(
            f'<rect x="{f.x(p.date) - f.bar_w / 2:.1f}" y="{y:.1f}" width="{f.bar_w:.1f}" '
            f'height="{bottom - y:.1f}" fill="{fill}" stroke="currentColor"/>'
        )
    return out


def _dose_line(f: _Frame, points: Sequence[ChartPoint]) -> list[str]:
    dosed = sorted((p for p in points if p.dose_mg is not None), key=lambda p: p.date)
    coords = [(f.x(p.date), f.y_dose(max(p.dose_mg or 0.0, 0.0))) for p in dosed]
    out = []
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        out.append(f'<polyline points="{path}" fill="none" stroke="currentColor" stroke-width="3"/>')
    out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="currentColor"/>' for x, y in coords]
    return out


def render_chart_svg(
    points: Sequence[ChartPoint],
    *,
    title: str,
    desc: str,
    dose_label: str,
    symptom_label: str,
    date_formatter: Callable[[date], str],
    number_formatter: Callable[[float], str] = _fmt,
    symptom_max: float | None = None,
    id_prefix: str = "taper-chart",
    layout: Layout = WIDE,
) -> str:
    """An accessible, self-contained SVG; works with 0, 1 or many points."""
    doses = [p.dose_mg for p in points if p.dose_mg is not None]
    scores = [p.symptom_score for p in points if p.symptom_score is not None]
    dose_max = _nice_max(max(doses, default=0.0))
    s_max = _whole_max(symptom_max if symptom_max and symptom_max > 0 else max(scores, default=0.0))
    f = _Frame(layout, points, dose_max, s_max)
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {layout.width} {layout.height}" role="img" '
        f'aria-labelledby={quoteattr(f"{title_id} {desc_id}")} font-size="{layout.font_size}" '
        'font-family="inherit">',
        f"<title id={quoteattr(title_id)}>{escape(title)}</title>",
        f"<desc id={quoteattr(desc_id)}>{escape(desc)}</desc>",
        f'<defs><pattern id="{id_prefix}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><path d="M0 0V6" stroke="currentColor" stroke-width="2"/>'
        "</pattern></defs>",
        '<g fill="currentColor">',
        *_axes(f, dose_label, symptom_label, number_formatter),
        *_x_ticks(f, points, date_formatter),
        "</g>",
        *_bars(f, points, f"url(#{id_prefix}-hatch)"),
        *_dose_line(f, points),
        "</svg>",
    ]
    return "".join(parts)
