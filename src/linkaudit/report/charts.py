"""
Bar charts as inline SVG, readable on their own: a y axis with ticks and labels, a label
under each group, the value written on each bar, a legend, and a title for screen readers.

No script and no external asset, so the charts work under the reports' strict Content
Security Policy and print as they show. Every label is neutralised and escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape as _html_escape

from linkaudit.printable import neutralise

__all__ = ["Series", "bar_chart"]

_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 8, 22, 34


@dataclass(frozen=True, slots=True)
class Series:
    """One kind of bar: its name (legend), CSS class (colour) and a value per group."""

    name: str
    css: str
    values: Sequence[float | None]


def _e(text: object) -> str:
    return _html_escape(neutralise(text))


def bar_chart(
    groups: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    percent: bool = False,
    stacked: bool = False,
    marks: Sequence[str] = (),
    width: int = 720,
    height: int = 220,
) -> str:
    """Grouped (or ``stacked``) bars, one group per label in ``groups``.

    ``percent`` values are shares (0–1) drawn on a 0–100 % axis; ``marks`` is an optional note
    per group written under its label (``offline``), and a group with a mark has no bars.
    A ``None`` value is drawn as no bar and labelled ``n/a``.
    """
    plot_w, plot_h = width - _LEFT - _RIGHT, height - _TOP - _BOTTOM
    top = 1.0 if percent else _nice_top(_largest(series, stacked))
    shapes = _axis(top, percent, plot_w, plot_h)
    step = plot_w / max(len(groups), 1)
    for index, label in enumerate(groups):
        x0 = _LEFT + index * step
        mark = marks[index] if index < len(marks) else ""
        if not mark:
            shapes += _group_bars(series, index, x0, step, top, plot_h, percent, stacked)
        shapes.append(
            f'<text class="label" x="{x0 + step / 2:.1f}" y="{_TOP + plot_h + 14}" '
            f'text-anchor="middle">{_e(label)}</text>'
        )
        if mark:
            shapes.append(
                f'<text class="mark" x="{x0 + step / 2:.1f}" y="{_TOP + plot_h + 27}" '
                f'text-anchor="middle">{_e(mark)}</text>'
            )
    shapes += _legend(series, width)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="{_e(title)}"><title>{_e(title)}</title>'
        f"{''.join(shapes)}</svg>"
    )


def _largest(series: Sequence[Series], stacked: bool) -> float:
    count = max((len(s.values) for s in series), default=0)
    if stacked:
        return max((sum(s.values[i] or 0 for s in series) for i in range(count)), default=0)
    return max((v or 0 for s in series for v in s.values), default=0)


def _nice_top(value: float) -> float:
    """Four ticks of 1, 2 or 5 × 10ⁿ each reaching ``value``, so tick labels stay round."""
    quarter = max(value / 4, 1.0)
    power = 1.0
    while power * 10 <= quarter:
        power *= 10
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= quarter and (factor * power).is_integer():
            return 4 * factor * power
    return 40 * power  # pragma: no cover


def _axis(top: float, percent: bool, plot_w: float, plot_h: float) -> list[str]:
    shapes = [
        f'<line class="axis" x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{_TOP + plot_h}"/>',
        f'<line class="axis" x1="{_LEFT}" y1="{_TOP + plot_h}" x2="{_LEFT + plot_w}" '
        f'y2="{_TOP + plot_h}"/>',
    ]
    for tick in range(5):
        value = top * tick / 4
        y = _TOP + plot_h - plot_h * tick / 4
        text = f"{value:.0%}" if percent else _number(value)
        shapes.append(
            f'<line class="grid" x1="{_LEFT}" y1="{y:.1f}" x2="{_LEFT + plot_w}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{text}</text>'
        )
    return shapes


def _number(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _group_bars(
    series: Sequence[Series],
    index: int,
    x0: float,
    step: float,
    top: float,
    plot_h: float,
    percent: bool,
    stacked: bool,
) -> list[str]:
    shapes = []
    inner = step * 0.8
    bar_w = inner if stacked else inner / max(len(series), 1)
    base = float(_TOP + plot_h)
    for number, one in enumerate(series):
        value = one.values[index] if index < len(one.values) else None
        x = x0 + step * 0.1 + (0 if stacked else number * bar_w)
        text = "n/a" if value is None else (f"{value:.0%}" if percent else _number(value))
        h = 0.0 if value is None else plot_h * value / top
        y = base - h
        shapes.append(
            f'<rect class="{_e(one.css)}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
            f'height="{h:.1f}"><title>{_e(one.name)}: {text}</title></rect>'
        )
        label_y = y + h / 2 + 4 if stacked else y - 3
        if not stacked or h >= 12:
            shapes.append(
                f'<text class="value" x="{x + bar_w / 2:.1f}" y="{label_y:.1f}" '
                f'text-anchor="middle">{text}</text>'
            )
        if stacked:
            base = y
    return shapes


def _legend(series: Sequence[Series], width: int) -> list[str]:
    shapes = []
    x = float(_LEFT)
    for one in series:
        shapes.append(
            f'<circle class="{_e(one.css)}" cx="{x + 5:.1f}" cy="10" r="5"/>'
            f'<text class="legend" x="{x + 14:.1f}" y="14">{_e(one.name)}</text>'
        )
        x += 24 + 7 * len(one.name)
        if x > width - 60:
            break
    return shapes
