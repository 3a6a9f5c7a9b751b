"""Geometry for the server-rendered SVG charts (no JavaScript, CSP-safe)."""

from dataclasses import dataclass


@dataclass
class Bar:
    label: str
    value: float
    y: int
    width: float
    text_y: int


def bars(items: list[tuple[str, float | None]], *, width: int = 300, row: int = 26) -> dict:
    """Horizontal bars for percentages (0–100)."""
    result = []
    for i, (label, value) in enumerate(items[:40]):
        v = max(0.0, min(100.0, value or 0.0))
        result.append(
            Bar(label=label[:12], value=v, y=i * row + 4, width=round(v / 100 * width, 1), text_y=i * row + 19)
        )
    return {
        "bars": result,
        "height": len(result) * row + 8,
        "width": width,
        "label_width": 170,
        "total_width": width + 230,
    }


def line(points: list[tuple[str, int]], *, width: int = 560, height: int = 200, pad: int = 36) -> dict | None:
    """A polyline through (label, value) points, scaled to the largest value."""
    if not points:
        return None
    top = max(v for _l, v in points) or 1
    step = (width - 2 * pad) / max(1, len(points) - 1)
    coords = []
    for i, (label, value) in enumerate(points):
        x = round(pad + i * step, 1)
        y = round(height - pad - value / top * (height - 2 * pad), 1)
        coords.append({"x": x, "y": y, "label": label, "value": value})
    return {
        "points": " ".join(f"{c['x']},{c['y']}" for c in coords),
        "coords": coords,
        "width": width,
        "height": height,
        "base": height - pad,
        "top": top,
        "label_y": height - pad + 18,
    }
