"""Drift report as JSON and as one self-contained HTML page.

The page draws, per feature, the reference and window shares as paired
horizontal bars in inline SVG, next to the test, statistic, p-values, PSI and
verdict. It has no script and loads nothing, so it opens from S3 or a mail client.
"""

from __future__ import annotations

import json
import math
from html import escape
from typing import Any

BAR_WIDTH = 240
BAR_HEIGHT = 10
LABEL_WIDTH = 170
REFERENCE_COLOUR = "#4c78a8"
CURRENT_COLOUR = "#f58518"
VERDICT_COLOURS = {"drift": "#c0392b", "no drift": "#2e7d32", "insufficient data": "#777777"}

STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; }
td, th { border-bottom: 1px solid #ddd; padding: 6px 10px; vertical-align: top; text-align: left; }
.verdict { font-weight: bold; }
.legend span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; }
"""


def report_json(report: dict[str, Any]) -> str:
    """Serialise a drift report as strict JSON (no NaN or Infinity)."""
    return json.dumps(_finite(report), indent=2, sort_keys=False, allow_nan=False)


def render_html(report: dict[str, Any], title: str = "Drift report") -> str:
    """Render a drift report from `check_drift` as a standalone HTML page."""
    verdict = report["verdict"]
    rows = "\n".join(_feature_row(feature) for feature in report["features"])
    settings = ", ".join(f"{key} = {value}" for key, value in report["config"].items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{STYLE}</style></head>
<body>
<h1>{escape(title)}</h1>
<p class="verdict" style="color:{VERDICT_COLOURS.get(verdict, '#222')}">
Verdict: {escape(verdict)}</p>
<p>{escape(report["reason"])}</p>
<p>Window: {report["rows"]:,} rows. Reference: {report["reference_rows"]:,} rows.
Settings: {escape(settings)}.</p>
<p class="legend"><span style="background:{REFERENCE_COLOUR}"></span>reference
<span style="background:{CURRENT_COLOUR}"></span>current window</p>
<table>
<tr><th>feature</th><th>distribution (share per bin or value)</th><th>test</th>
<th>statistic</th><th>p-value</th><th>adjusted p-value</th><th>PSI</th>
<th>missing</th><th>verdict</th></tr>
{rows}
</table>
</body></html>
"""


def _feature_row(feature: dict[str, Any]) -> str:
    verdict = feature["verdict"]
    colour = VERDICT_COLOURS.get(verdict, "#222")
    return (
        f"<tr><td>{escape(feature['feature'])}<br><small>{escape(feature['kind'])}</small></td>"
        f"<td>{_bars_svg(feature['distribution'])}</td>"
        f"<td>{escape(feature['test'])}</td>"
        f"<td>{_number(feature['statistic'])}</td>"
        f"<td>{_number(feature['p_value'])}</td>"
        f"<td>{_number(feature['p_value_adjusted'])}</td>"
        f"<td>{_number(feature['psi'])}</td>"
        f"<td>{feature['missing']:,} ({feature['missing_share']:.1%})</td>"
        f'<td class="verdict" style="color:{colour}">{escape(verdict)}'
        f"<br><small>{escape(feature['reason'])}</small>{_unseen(feature)}</td></tr>"
    )


def _unseen(feature: dict[str, Any]) -> str:
    listed = feature["details"].get("unseen_values") or []
    if not listed:
        return ""
    items = ", ".join(f"{escape(item['value'])} ({item['count']:,})" for item in listed)
    return f"<br><small>not in schema: {items}</small>"


def _bars_svg(distribution: dict[str, Any]) -> str:
    labels = distribution["labels"]
    if not labels:
        return "<small>no reference values</small>"
    group = 2 * BAR_HEIGHT + 6
    width = LABEL_WIDTH + BAR_WIDTH + 50
    height = group * len(labels)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" font-size="11">']
    for index, label in enumerate(labels):
        top = index * group
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{top + BAR_HEIGHT + 4}" '
                     f'text-anchor="end">{escape(label)}</text>')
        pairs = ((distribution["reference"][index], REFERENCE_COLOUR, "reference"),
                 (distribution["current"][index], CURRENT_COLOUR, "current"))
        for offset, (share, colour, name) in enumerate(pairs):
            y = top + offset * BAR_HEIGHT
            length = max(0.0, min(1.0, share)) * BAR_WIDTH
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT - 1}" '
                f'fill="{colour}"><title>{escape(label)}, {name}: {share:.1%}</title></rect>'
                f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + BAR_HEIGHT - 1}">'
                f"{share:.1%}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _finite(value: Any) -> Any:
    """Replace NaN and infinities with None, recursively, so the JSON stays strict."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value
