"""Geometry for the dashboard's server-rendered SVG charts; the markup is the components'."""

from dataclasses import dataclass

from components import component

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


# Drawn by components/team_bars_chart.jinja and components/histogram_chart.jinja (colours:
# .chart-* classes in static/css/components.css): a 30-team chart has hundreds of numbers,
# which a Jinja2 macro prints in one call (through Django's template engine they cost more
# than the rest of the dashboard).


def team_chart_svg(rows):
    return component("team_bars_chart")(chart=team_bars(rows))


def histogram_svg(counts: list[int]):
    return component("histogram_chart")(chart=histogram(counts))
