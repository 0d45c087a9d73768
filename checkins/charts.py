"""The server-rendered SVG charts' geometry; their markup is ``components/line_chart.jinja``."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from components import component
from objectives.progress import as_percent, kr_progress, weighted_mean

from .pace import line_start

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 14, 30


@dataclass
class Point:
    """A point of a chart's line, its coordinates already text: a chart has dozens of
    points and a template prints a float through number localisation each time."""

    x: str
    y: str
    label: str

    def __post_init__(self):
        self.x, self.y = str(self.x), str(self.y)


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    points: list[Point] = field(default_factory=list)
    line: str = ""  # polyline "x,y x,y"
    pace_line: tuple[float, float, float, float] = (0, 0, 0, 0)
    today_x: float | None = None
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM
    summary: str = ""


def _fmt(value: Decimal) -> str:
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():f}"


def _scale_x(start: datetime.datetime, end: datetime.datetime):
    span = max((end - start).total_seconds(), 1.0)
    width = WIDTH - LEFT - RIGHT

    def x(moment: datetime.datetime) -> float:
        fraction = (moment - start).total_seconds() / span
        return round(LEFT + width * min(max(fraction, 0.0), 1.0), 1)

    return x


def _scale_y(low: Decimal, high: Decimal):
    if high == low:
        high = low + 1
    height = HEIGHT - TOP - BOTTOM

    def y(value) -> float:
        fraction = (Decimal(value) - low) / (high - low)
        return round(TOP + float(height) * (1 - float(fraction)), 1)

    return y


def _x_ticks(period, x, tz) -> list[tuple[float, str]]:
    ticks = []
    day = period.start.replace(day=1)
    while day <= period.end:
        if day >= period.start:
            moment = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
            ticks.append((x(moment), day.strftime("%b")))
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    if len(ticks) > 8:  # a year: every other month
        ticks = ticks[::2]
    return ticks


def _bounds(period, tz):
    start = datetime.datetime.combine(period.start, datetime.time(), tzinfo=tz)
    end = datetime.datetime.combine(period.end, datetime.time(23, 59), tzinfo=tz)
    return start, end


def kr_value_chart(kr, checkins: Iterable, *, period, tz, now: datetime.datetime) -> Chart:
    """Value over time (oldest first) against the pace line start -> target."""
    checkins = sorted(checkins, key=lambda c: (c.created_at, c.id))
    start, end = _bounds(period, tz)
    x = _scale_x(start, end)
    values = [kr.start_value, kr.target_value] + [c.value for c in checkins]
    low, high = min(values), max(values)
    pad = (high - low) * Decimal("0.05") or Decimal(1)
    low, high = low - pad, high + pad
    y = _scale_y(low, high)
    # Both lines start when the KR does (``pace.line_start``), not before it existed; the
    # value line no earlier than its first check-in.
    pace_from = datetime.datetime.combine(
        line_start(kr, period=period, zone=tz), datetime.time(), tzinfo=tz
    )
    value_from = max(start, min([pace_from, *(c.created_at for c in checkins[:1])]))
    first_value = checkins[0].previous_value if checkins else kr.start_value
    points = [Point(x(value_from), y(first_value), f"Start: {_fmt(first_value)}")]
    for c in checkins:
        when = c.created_at.astimezone(tz)
        points.append(Point(x(c.created_at), y(c.value), f"{when:%d %b %Y}: {_fmt(c.value)}"))
    chart = Chart(points=points)
    chart.line = " ".join(f"{p.x},{p.y}" for p in points)
    chart.pace_line = (x(pace_from), y(kr.start_value), x(end), y(kr.target_value))
    chart.today_x = x(now) if start <= now <= end else None
    chart.y_ticks = [(y(v), _fmt(v)) for v in sorted({kr.start_value, kr.target_value})]
    chart.x_ticks = _x_ticks(period, x, tz)
    chart.summary = (
        f"{len(checkins)} check-in{'s' if len(checkins) != 1 else ''}; "
        f"from {_fmt(kr.start_value)} towards {_fmt(kr.target_value)}, "
        f"now {_fmt(kr.current_value)}."
    )
    return chart


def objective_progress_series(key_results: list, checkins: Iterable) -> list[tuple]:
    """(moment, progress) after each check-in of any of the KRs, oldest first."""
    checkins = sorted(checkins, key=lambda c: (c.created_at, c.id))
    first = {}
    for c in checkins:
        first.setdefault(c.key_result_id, c.previous_value)
    current = {kr.pk: first.get(kr.pk, kr.current_value) for kr in key_results}
    by_id = {kr.pk: kr for kr in key_results}

    def progress():
        return weighted_mean(
            (
                kr_progress(
                    kind=kr.kind, start=kr.start_value, target=kr.target_value, current=current[pk]
                ),
                kr.weight,
            )
            for pk, kr in by_id.items()
        )

    series = [(None, progress())] if key_results else []
    for c in checkins:
        if c.key_result_id in current:
            current[c.key_result_id] = c.value
            series.append((c.created_at, progress()))
    return series


def objective_chart(key_results: list, checkins: Iterable, *, period, tz, now) -> Chart:
    """An objective's progress (0-100 %) over time against the 0 -> 100 % pace line."""
    start, end = _bounds(period, tz)
    x = _scale_x(start, end)
    y = _scale_y(Decimal(0), Decimal(100))
    series = objective_progress_series(key_results, checkins)
    points = []
    for moment, progress in series:
        percent = as_percent(progress) or 0
        moment = moment or start
        label = f"{moment.astimezone(tz):%d %b %Y}: {percent}%"
        points.append(Point(x(moment), y(percent), label))
    chart = Chart(points=points)
    chart.line = " ".join(f"{p.x},{p.y}" for p in points)
    # From the first KR's start (``pace.line_start``): no pace is expected before any KR.
    first_day = min(
        (line_start(kr, period=period, zone=tz) for kr in key_results), default=period.start
    )
    pace_from = datetime.datetime.combine(first_day, datetime.time(), tzinfo=tz)
    chart.pace_line = (x(pace_from), y(0), x(end), y(100))
    chart.today_x = x(now) if start <= now <= end else None
    chart.y_ticks = [(y(v), f"{v}%") for v in (0, 50, 100)]
    chart.x_ticks = _x_ticks(period, x, tz)
    last = as_percent(series[-1][1]) if series and series[-1][1] is not None else None
    chart.summary = (
        f"Progress over time; now {last}%." if last is not None else "No progress recorded yet."
    )
    return chart


def chart_svg(chart: Chart, *, chart_id: str, title: str, series_label: str):
    """The chart as SVG with its legend (``components/line_chart.jinja``; colours: .chart-*
    classes). A Jinja2 macro: through Django's template engine its few dozen elements cost
    more than the rest of the objective page's card."""
    return component("line_chart")(
        chart=chart, chart_id=chart_id, title=title, series_label=series_label
    )
