"""Small charts drawn as inline SVG: no JavaScript library, prints as it shows.

Village offices use old PCs and print pages for meetings; an SVG in the HTML
needs nothing to load and keeps its shape on paper. Every label comes from the
catalogue and is escaped; the numbers are integers.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from core.catalogue import text
from usecases.dashboard import MonthPoints

WIDTH, HEIGHT = 720, 240
LEFT, BOTTOM, TOP = 48, 28, 16
ISSUED, REDEEMED = "#2e7d32", "#c62828"


def month_bars(months: Sequence[MonthPoints]) -> Markup:
    """Points issued (green) and redeemed (red) per month, two bars side by side."""
    highest = max([1, *(m.issued for m in months), *(m.redeemed for m in months)])
    plot = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(months), 1)
    bar = slot * 0.35
    issued_label, redeemed_label = text("console_chart_issued"), text("console_chart_redeemed")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" class="chart" aria-label="{escape(text("console_chart_title"))}">',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" '
        'stroke="#888"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11">{highest}</text>',
        f'<text x="{LEFT - 6}" y="{HEIGHT - BOTTOM}" text-anchor="end" font-size="11">0</text>',
    ]
    for index, month in enumerate(months):
        x = LEFT + index * slot + slot * 0.12
        for offset, value, colour, label in (
            (0.0, month.issued, ISSUED, issued_label),
            (bar, month.redeemed, REDEEMED, redeemed_label),
        ):
            height = plot * value / highest
            y = HEIGHT - BOTTOM - height
            title = escape(f"{text('console_month', month=month.month)} {label} {value}")
            parts.append(
                f'<rect x="{x + offset:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                f'fill="{colour}"><title>{title}</title></rect>'
            )
        parts.append(
            f'<text x="{x + bar:.1f}" y="{HEIGHT - 10}" text-anchor="middle" font-size="11">'
            f"{escape(text('console_month', month=month.month))}</text>"
        )
    parts.append("</svg>")
    legend = (
        f'<p class="legend"><span style="color:{ISSUED}">■</span> {escape(issued_label)}　'
        f'<span style="color:{REDEEMED}">■</span> {escape(redeemed_label)}</p>'
    )
    return Markup("".join(parts) + legend)
