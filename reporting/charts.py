"""Charts drawn on the server as SVG: no script, no CDN, nothing a strict CSP would block.

Each chart is a small dataclass of shapes the template draws; colours come from CSS classes.
Coordinates are strings written here with a full stop (`_n`): the template would localise a number,
and "12,5" is no coordinate (Ukrainian writes decimals with a comma).
Every chart on the page has the table of its numbers beside it, for screen readers and for checking.
"""

from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 12, 28


def _n(value: float) -> str:
    return f"{value:.1f}"


@dataclass
class Bar:
    x: str
    y: str
    width: str
    height: str
    css: str
    title: str


@dataclass
class Chart:
    title: str
    bars: list[Bar] = field(default_factory=list)
    line: str = ""  # an SVG polyline's points
    points: list[tuple[str, str, str]] = field(default_factory=list)
    ticks: list[tuple[str, str]] = field(default_factory=list)  # y, label
    labels: list[tuple[str, str]] = field(default_factory=list)  # x, label
    baseline: str = _n(HEIGHT - BOTTOM)
    legend: list[tuple[str, str]] = field(default_factory=list)  # css, label
    width: int = WIDTH
    height: int = HEIGHT


def _scale(low: int, high: int) -> tuple[int, int]:
    low, high = min(low, 0), max(high, 0)
    if low == high:
        high = low + 1
    return low, high


def _y(value: int, low: int, high: int) -> float:
    return TOP + (high - value) * (HEIGHT - TOP - BOTTOM) / (high - low)


def _ticks(low: int, high: int, fmt) -> list[tuple[str, str]]:
    return [(_n(_y(v, low, high)), fmt(v)) for v in (low, (low + high) // 2, high)] if high > low else []


def _slot(index: int, count: int) -> tuple[float, float]:
    step = (WIDTH - LEFT - RIGHT) / max(count, 1)
    return LEFT + index * step, step


def stacked_bars(
    *, title: str, labels: list[str], series: list[tuple[str, str, list[int]]], fmt, value_fmt
) -> Chart:
    """Bars stacked per label: `series` is (css class, name, values); negative parts go below zero."""
    tops = [sum(max(values[i], 0) for _c, _n, values in series) for i in range(len(labels))]
    bottoms = [sum(min(values[i], 0) for _c, _n, values in series) for i in range(len(labels))]
    low, high = _scale(min(bottoms, default=0), max(tops, default=0))
    chart = Chart(
        title=title, legend=[(css, name) for css, name, _v in series], baseline=_n(_y(0, low, high))
    )
    chart.ticks = _ticks(low, high, fmt)
    for index, label in enumerate(labels):
        x, step = _slot(index, len(labels))
        chart.labels.append((_n(x + step / 2), label))
        up, down = 0, 0
        for css, name, values in series:
            value = values[index]
            if not value:
                continue
            start = up if value > 0 else down
            end = start + value
            y1, y2 = _y(max(start, end), low, high), _y(min(start, end), low, high)
            chart.bars.append(
                Bar(
                    _n(x + step * 0.15),
                    _n(y1),
                    _n(step * 0.7),
                    _n(max(y2 - y1, 0.5)),
                    css,
                    f"{label} {name}: {value_fmt(value)}",
                )
            )
            if value > 0:
                up = end
            else:
                down = end
    return chart


def line(
    *, title: str, labels: list[str], values: list[int], fmt, value_fmt, css: str = "line-main"
) -> Chart:
    low, high = _scale(min(values, default=0), max(values, default=0))
    chart = Chart(title=title, baseline=_n(_y(0, low, high)), legend=[(css, title)])
    chart.ticks = _ticks(low, high, fmt)
    points = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x, step = _slot(index, len(labels))
        cx, cy = x + step / 2, _y(value, low, high)
        points.append(f"{_n(cx)},{_n(cy)}")
        chart.points.append((_n(cx), _n(cy), f"{label}: {value_fmt(value)}"))
        chart.labels.append((_n(cx), label))
    chart.line = " ".join(points)
    return chart


def heat_class(share: float | None) -> str:
    """One of eleven shades (CSS classes heat-0 ... heat-10) for a retention share, or heat-none."""
    if share is None:
        return "heat-none"
    return f"heat-{max(0, min(10, round(share * 10)))}"
