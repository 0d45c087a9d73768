"""Geometry for the dashboard's server-rendered SVG charts (attributes only, no inline style)."""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join

BAR_WIDTH = 240  # px for 100 %
ROW_HEIGHT = 34
LABEL_WIDTH = 170


@dataclass
class TeamBars:
    label: str
    y: int
    coverage: int | None
    coverage_width: int
    progress: int | None
    progress_width: int


def percent(value) -> int | None:
    return None if value is None else round(float(value) * 100)


def team_bars(rows) -> dict:
    bars = []
    for i, row in enumerate(rows):
        coverage = percent(row.metrics.coverage)
        progress = percent(row.metrics.progress)
        bars.append(
            TeamBars(
                label=("  " * row.depth + row.team.name)[:28],
                y=i * ROW_HEIGHT,
                coverage=coverage,
                coverage_width=round(BAR_WIDTH * (coverage or 0) / 100),
                progress=progress,
                progress_width=round(BAR_WIDTH * (progress or 0) / 100),
            )
        )
    return {
        "bars": bars,
        "height": max(ROW_HEIGHT, len(bars) * ROW_HEIGHT),
        "width": LABEL_WIDTH + BAR_WIDTH + 50,
        "label_width": LABEL_WIDTH,
        "bar_width": BAR_WIDTH,
    }


@dataclass
class Column:
    label: str
    start: int
    count: int
    x: int
    y: int
    height: int


def histogram(counts: list[int], *, height: int = 120, column: int = 36, pad: int = 16) -> dict:
    top = max(counts, default=0) or 1
    step = 100 // len(counts) if counts else 10
    columns = []
    for i, count in enumerate(counts):
        h = round(height * count / top)
        columns.append(
            Column(
                label=f"{i * step}–{100 if i == len(counts) - 1 else (i + 1) * step - 1}%",
                start=i * step,
                count=count,
                x=i * (column + 6),
                y=pad + height - h,
                height=h,
            )
        )
    return {
        "columns": columns,
        "height": height,
        "baseline": pad + height,
        "width": len(counts) * (column + 6),
        "column": column,
        "total_height": pad + height + 20,
    }


# The SVG markup is built here rather than in the template: a 30-team table's chart has
# hundreds of numbers, and formatting each through the template engine cost more than the
# rest of the dashboard.


def team_chart_svg(rows) -> str:
    chart = team_bars(rows)
    label_width, bar_width = chart["label_width"], chart["bar_width"]
    text_x = label_width + bar_width + 6
    bars = format_html_join(
        "",
        '<text x="0" y="{}" font-size="12" fill="#1d2333">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="10" rx="3" fill="#e6e8f0"/>'
        '<rect x="{}" y="{}" width="{}" height="10" rx="3" fill="#137a4b"/>'
        '<rect x="{}" y="{}" width="{}" height="10" rx="3" fill="#e6e8f0"/>'
        '<rect x="{}" y="{}" width="{}" height="10" rx="3" fill="#3b3fd8"/>'
        '<text x="{}" y="{}" font-size="11" fill="#137a4b">{}</text>'
        '<text x="{}" y="{}" font-size="11" fill="#3b3fd8">{}</text>',
        (
            (
                bar.y + 14,
                bar.label,
                label_width,
                bar.y + 3,
                bar_width,
                label_width,
                bar.y + 3,
                bar.coverage_width,
                label_width,
                bar.y + 16,
                bar_width,
                label_width,
                bar.y + 16,
                bar.progress_width,
                text_x,
                bar.y + 12,
                "–" if bar.coverage is None else f"{bar.coverage}%",
                text_x,
                bar.y + 25,
                "–" if bar.progress is None else f"{bar.progress}%",
            )
            for bar in chart["bars"]
        ),
    )
    return format_html(
        '<svg width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
        'aria-labelledby="team-chart-title">'
        '<title id="team-chart-title">Coverage (top bar) and average progress (bottom bar) '
        "per team</title>{bars}</svg>",
        w=chart["width"],
        h=chart["height"],
        bars=bars,
    )


def histogram_svg(counts: list[int]) -> str:
    chart = histogram(counts)
    columns = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="#3b3fd8"><title>{}: {}</title></rect>'
        '<text x="{}" y="{}" font-size="10" fill="#5b6378">{}%</text>{}',
        (
            (
                c.x,
                c.y,
                chart["column"],
                c.height,
                c.label,
                c.count,
                c.x + 4,
                chart["baseline"] + 14,
                c.start,
                format_html(
                    '<text x="{}" y="{}" font-size="10" fill="#1d2333">{}</text>',
                    c.x + 4,
                    c.y - 3,
                    c.count,
                )
                if c.count
                else "",
            )
            for c in chart["columns"]
        ),
    )
    return format_html(
        '<svg width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
        'aria-labelledby="hist-title">'
        '<title id="hist-title">Number of objectives by progress, in steps of 10%</title>'
        "{columns}</svg>",
        w=chart["width"],
        h=chart["total_height"],
        columns=columns,
    )
