"""The SVG chart is valid, labelled XML for 0, 1 or many points."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from app.diary.chart import NARROW, WIDE, ChartPoint, render_chart_svg

NS = "{http://www.w3.org/2000/svg}"


def _render(points, **kw):
    return render_chart_svg(
        points,
        title=kw.get("title", "Taper <diary> & symptoms"),
        desc=kw.get("desc", 'Dose from 20 to 0 mg; "quotes"'),
        dose_label="Diazepam-equivalent (mg)",
        symptom_label="Symptom score",
        date_formatter=lambda d: d.strftime("%d/%m <%Y>"),
        **{k: v for k, v in kw.items() if k not in {"title", "desc"}},
    )


def _points(n: int) -> list[ChartPoint]:
    start = date(2025, 1, 1)
    return [
        ChartPoint(start + timedelta(days=7 * i), 20 - i * 0.5 if i % 3 else None, float(i % 9))
        for i in range(n)
    ]


@pytest.mark.parametrize("n", [0, 1, 2, 40])
def test_svg_parses_and_is_labelled(n: int):
    root = ET.fromstring(_render(_points(n), symptom_max=57))
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 640 320"
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title.text == "Taper <diary> & symptoms"
    assert desc.text == 'Dose from 20 to 0 mg; "quotes"'
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "script" not in _render(_points(n))


def test_many_points_draw_line_bars_and_limited_ticks():
    svg = _render(_points(40), symptom_max=57)
    root = ET.fromstring(svg)
    assert root.find(f"{NS}polyline") is not None
    assert len(root.findall(f"{NS}rect")) == 40
    tick_labels = [t.text for t in root.iter(f"{NS}text") if t.text and "/" in t.text]
    assert 2 <= len(tick_labels) <= 6
    assert "&lt;2025&gt;" in svg


def test_colours_follow_the_page_text():
    svg = _render(_points(5))
    assert "#" not in svg.replace("url(#", "")
    assert "currentColor" in svg


def test_single_point_has_marker_but_no_line():
    root = ET.fromstring(_render([ChartPoint(date(2025, 1, 1), 10.0, 3.0)]))
    assert root.find(f"{NS}polyline") is None
    assert len(root.findall(f"{NS}circle")) == 1


def test_two_charts_on_one_page_do_not_share_ids():
    a = ET.fromstring(_render(_points(3), id_prefix="a"))
    b = ET.fromstring(_render(_points(3), id_prefix="b"))
    ids_a = {e.get("id") for e in a.iter() if e.get("id")}
    ids_b = {e.get("id") for e in b.iter() if e.get("id")}
    assert ids_a and not ids_a & ids_b


def _texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{NS}text")]


def test_symptom_scale_has_whole_numbers_and_the_reader_decimal_comma():
    points = [ChartPoint(date(2025, 1, d), 1.5 if d < 3 else 2.0, float(d)) for d in range(1, 6)]
    svg = _render(points, number_formatter=lambda v: f"{v:g}".replace(".", ","))
    labels = _texts(svg)
    assert "0,5" in labels and "1,5" in labels  # the dose scale, with a decimal comma
    assert not any("." in label for label in labels if label[:1].isdigit())
    right_axis = WIDE.width - WIDE.right
    right = [t.text or "" for t in ET.fromstring(svg).iter(f"{NS}text")
             if float(t.get("x", 0)) > right_axis and "rotate" not in (t.get("transform") or "")]
    assert right and all(label.isdigit() for label in right), right  # not "1.25 / 2.5 / 3.75" for a whole score


def test_bars_stay_inside_the_axes():
    points = [ChartPoint(date(2025, 1, d), 2.0, 3.0) for d in range(1, 15)]
    for layout in (WIDE, NARROW):
        root = ET.fromstring(_render(points, layout=layout))
        right_axis = layout.width - layout.right
        for rect in root.findall(f"{NS}rect"):
            x, width = float(rect.get("x")), float(rect.get("width"))
            assert layout.left < x and x + width < right_axis


def test_narrow_layout_keeps_labels_readable_on_a_phone():
    root = ET.fromstring(_render(_points(10), layout=NARROW))
    assert root.get("viewBox") == f"0 0 {NARROW.width} {NARROW.height}"
    # Drawn 360 units wide and shown about 358 px wide: the font size is close to its pixel size.
    assert NARROW.font_size * 358 / NARROW.width >= 12
    assert len([t for t in _texts(ET.tostring(root, encoding="unicode")) if "/" in t]) <= NARROW.max_x_ticks


@pytest.mark.parametrize("layout", [WIDE, NARROW], ids=["wide", "narrow"])
def test_axis_titles_stand_clear_of_the_scales_numbers(layout) -> None:
    """On a 390 px phone the dose axis title overlapped the dose numbers (outsider walk)."""
    from app.diary.chart import ASCENT, DESCENT, DIGIT_WIDTH, axis_title_baselines

    size = layout.font_size
    left_title, right_title = axis_title_baselines(layout)
    assert left_title - size * ASCENT >= 0 and right_title + size * ASCENT <= layout.width  # inside the drawing
    # The dose numbers end 6 units left of the axis; four characters ("0,63", "12,5") start past the title.
    dose_numbers_start = layout.left - 6 - 4 * DIGIT_WIDTH * size
    assert left_title + size * DESCENT + 2 <= dose_numbers_start
    # The symptom score's numbers (up to two digits) start 6 units right of the axis and end before its title.
    symptom_numbers_end = layout.width - layout.right + 6 + 2 * DIGIT_WIDTH * size
    assert symptom_numbers_end + 2 <= right_title - size * DESCENT
    root = ET.fromstring(_render(_points(10), layout=layout))
    rotated = [t for t in root.iter(f"{NS}text") if "rotate" in (t.get("transform") or "")]
    assert [float(t.get("x")) for t in rotated] == [left_title, right_title]
