"""Bar charts as inline SVG, rendered on the server so the stats page needs no script."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

# Okabe and Ito's palette, which stays distinguishable for colour-blind readers.
PALETTE = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#f0e442",
    "#000000",
)
MUTED = "#9a9a9a"


@dataclass(frozen=True)
class Series:
    """One set of bars: a name for the legend, a fill colour and one value per category."""

    name: str
    color: str
    values: Sequence[int]


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    stacked: bool,
    title: str,
    width: int = 720,
    height: int = 260,
) -> Markup:
    """Return an SVG bar chart with one group (or stack) of bars per category.

    Each bar carries a `<title>` with its exact count, which browsers show on
    hover. An empty chart says so instead of drawing axes without bars.
    """
    left, right, top, bottom = 44, 12, 12, 58
    plot_width = width - left - right
    plot_height = height - top - bottom
    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{w}" height="{h}" '
            'viewBox="0 0 {w} {h}"><title>{title}</title>'
        ).format(w=width, h=height, title=title)
    ]

    peak = _peak(series, len(categories), stacked)
    if not categories or peak == 0:
        parts.append(
            Markup(
                '<text x="{x}" y="{y}" text-anchor="middle" fill="#555">'
                "No data in this period.</text></svg>"
            ).format(x=width // 2, y=height // 2)
        )
        return Markup("").join(parts)

    scale = plot_height / peak
    slot = plot_width / len(categories)
    # Bars stay slim when there are few categories, so one bar does not fill the chart.
    bar_span = min(slot * 0.8, 48.0 * (1 if stacked else len(series)))
    parts += _axis(left, top, plot_width, plot_height, peak)
    label_y = top + plot_height + 14

    for index, category in enumerate(categories):
        x0 = left + index * slot + (slot - bar_span) / 2
        base: float = top + plot_height
        bar_width = bar_span if stacked else bar_span / max(1, len(series))
        for number, one in enumerate(series):
            value = one.values[index]
            if value <= 0:
                continue
            bar_height = value * scale
            x = x0 if stacked else x0 + number * bar_width
            y = base - bar_height
            parts.append(
                Markup(
                    '<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
                    'fill="{color}"><title>{category}, {name}: {value}</title></rect>'
                ).format(
                    x=x,
                    y=y,
                    w=bar_width,
                    h=bar_height,
                    color=one.color,
                    category=category,
                    name=one.name,
                    value=value,
                )
            )
            if stacked:
                base = y
        label_x = left + index * slot + slot / 2
        parts.append(
            Markup(
                '<text x="{x:.1f}" y="{y}" font-size="11" text-anchor="end" '
                'transform="rotate(-35 {x:.1f} {y})">{label}</text>'
            ).format(x=label_x, y=label_y, label=category)
        )

    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def legend(series: Sequence[Series]) -> Markup:
    """Return an HTML legend for the series of a chart."""
    item = Markup('<li><span class="swatch" style="background:{color}"></span>{name}</li>')
    items = Markup("").join(item.format(color=one.color, name=one.name) for one in series)
    return Markup('<ul class="legend">{items}</ul>').format(items=items)


def _peak(series: Sequence[Series], size: int, stacked: bool) -> int:
    if not series or size == 0:
        return 0
    if stacked:
        return max(sum(one.values[index] for one in series) for index in range(size))
    return max(max(one.values, default=0) for one in series)


def _axis(left: int, top: int, plot_width: int, plot_height: int, peak: int) -> list[Markup]:
    """Draw the baseline and up to five whole-number gridlines with their labels."""
    step = max(1, -(-peak // 4))
    right = left + plot_width
    gridline = Markup(
        '<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#ddd"/>'
        '<text x="{label_x}" y="{label_y:.1f}" font-size="11" text-anchor="end">{value}</text>'
    )
    parts = []
    for value in range(0, peak + 1, step):
        y = top + plot_height - value * plot_height / peak
        parts.append(
            gridline.format(
                left=left, right=right, y=y, label_x=left - 6, label_y=y + 4, value=value
            )
        )
    baseline = Markup('<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="#333"/>')
    parts.append(baseline.format(left=left, right=right, y=top + plot_height))
    return parts
