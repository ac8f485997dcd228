"""Server-rendered SVG chart of a taper: diazepam-equivalent dose and symptom score.

No JavaScript. The dose is a solid line with round markers; the symptom score is
hatched bars on a second scale (0 to ``symptom_max``). Everything is drawn in
``currentColor``, so it has the page text's contrast on light and dark themes,
and the two series differ by shape, not by colour. Text is escaped; the
template renders the same points as a data table for screen-reader users.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape, quoteattr

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 56, 16, 48
MAX_X_TICKS = 6
Y_TICKS = 4


@dataclass(frozen=True, slots=True)
class ChartPoint:
    date: date
    diazepam_mg: float | None = None
    symptom_score: float | None = None


def _nice_max(value: float) -> float:
    if value <= 0 or not math.isfinite(value):
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 2.5, 5, 10):
        if value <= m * magnitude:
            return m * magnitude
    return 10 * magnitude


def _fmt(value: float) -> str:
    return f"{value:g}"


class _Frame:
    def __init__(self, points: Sequence[ChartPoint], dose_max: float, symptom_max: float):
        self.first = min(p.date for p in points) if points else date(2000, 1, 1)
        last = max(p.date for p in points) if points else self.first
        self.span = max((last - self.first).days, 1)
        self.dose_max, self.symptom_max = dose_max, symptom_max
        self.plot_w, self.plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(self, d: date) -> float:
        return LEFT + self.plot_w * (d - self.first).days / self.span

    def y_dose(self, v: float) -> float:
        return TOP + self.plot_h * (1 - v / self.dose_max)

    def y_symptom(self, v: float) -> float:
        return TOP + self.plot_h * (1 - v / self.symptom_max)


def _axes(f: _Frame, dose_label: str, symptom_label: str) -> list[str]:
    bottom, right = TOP + f.plot_h, LEFT + f.plot_w
    out = [
        f'<path d="M{LEFT} {TOP}V{bottom}H{right}V{TOP}" fill="none" stroke="currentColor"/>',
        f'<text x="14" y="{TOP + f.plot_h / 2:.1f}" transform="rotate(-90 14 {TOP + f.plot_h / 2:.1f})" '
        f'text-anchor="middle">{escape(dose_label)}</text>',
        f'<text x="{WIDTH - 12}" y="{TOP + f.plot_h / 2:.1f}" '
        f'transform="rotate(90 {WIDTH - 12} {TOP + f.plot_h / 2:.1f})" '
        f'text-anchor="middle">{escape(symptom_label)}</text>',
    ]
    for i in range(Y_TICKS + 1):
        dose = f.dose_max * i / Y_TICKS
        symptom = f.symptom_max * i / Y_TICKS
        y = f.y_dose(dose)
        out.append(f'<path d="M{LEFT - 4} {y:.1f}H{LEFT}M{right} {y:.1f}H{right + 4}" stroke="currentColor"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(round(dose, 2))}</text>')
        out.append(f'<text x="{right + 6}" y="{y + 4:.1f}">{_fmt(round(symptom, 2))}</text>')
    return out


def _x_ticks(f: _Frame, points: Sequence[ChartPoint], date_formatter: Callable[[date], str]) -> list[str]:
    dates = sorted({p.date for p in points})
    if len(dates) > MAX_X_TICKS:
        step = (len(dates) - 1) / (MAX_X_TICKS - 1)
        dates = [dates[round(i * step)] for i in range(MAX_X_TICKS)]
    bottom = TOP + f.plot_h
    out = []
    for d in dates:
        x = f.x(d)
        out.append(f'<path d="M{x:.1f} {bottom}V{bottom + 4}" stroke="currentColor"/>')
        out.append(f'<text x="{x:.1f}" y="{bottom + 18}" text-anchor="middle">{escape(date_formatter(d))}</text>')
    return out


def _bars(f: _Frame, points: Sequence[ChartPoint], fill: str) -> list[str]:
    scored = [p for p in points if p.symptom_score is not None]
    width = max(2.0, min(16.0, f.plot_w / max(len(scored), 1) * 0.6))
    out = []
    for p in scored:
        value = min(max(p.symptom_score or 0.0, 0.0), f.symptom_max)
        y = f.y_symptom(value)
        out.append(
            f'<rect x="{f.x(p.date) - width / 2:.1f}" y="{y:.1f}" width="{width:.1f}" '
            f'height="{TOP + f.plot_h - y:.1f}" fill="{fill}" stroke="currentColor"/>'
        )
    return out


def _dose_line(f: _Frame, points: Sequence[ChartPoint]) -> list[str]:
    dosed = sorted((p for p in points if p.diazepam_mg is not None), key=lambda p: p.date)
    coords = [(f.x(p.date), f.y_dose(max(p.diazepam_mg or 0.0, 0.0))) for p in dosed]
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
    symptom_max: float | None = None,
    id_prefix: str = "taper-chart",
) -> str:
    """An accessible, self-contained SVG; works with 0, 1 or many points."""
    doses = [p.diazepam_mg for p in points if p.diazepam_mg is not None]
    scores = [p.symptom_score for p in points if p.symptom_score is not None]
    dose_max = _nice_max(max(doses, default=0.0))
    s_max = symptom_max if symptom_max and symptom_max > 0 else _nice_max(max(scores, default=0.0))
    f = _Frame(points, dose_max, s_max)
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby={quoteattr(f"{title_id} {desc_id}")} font-size="12" '
        'font-family="inherit" style="max-width:100%;height:auto">',
        f"<title id={quoteattr(title_id)}>{escape(title)}</title>",
        f"<desc id={quoteattr(desc_id)}>{escape(desc)}</desc>",
        f'<defs><pattern id="{id_prefix}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><path d="M0 0V6" stroke="currentColor" stroke-width="2"/>'
        "</pattern></defs>",
        '<g fill="currentColor">',
        *_axes(f, dose_label, symptom_label),
        *_x_ticks(f, points, date_formatter),
        "</g>",
        *_bars(f, points, f"url(#{id_prefix}-hatch)"),
        *_dose_line(f, points),
        "</svg>",
    ]
    return "".join(parts)
