"""The results' charts as SVG documents (pygal), each shown with <img> and
the same numbers in a table beside it. Inside <img> pygal's small script
never runs, so the page's CSP stays strict."""
from __future__ import annotations

from decimal import Decimal

import pygal
from app.charts import HEIGHT, WIDTH, phone_style

def _config(**kw) -> dict:
    config = dict(style=phone_style(("#1d6fb8", "#c2410c", "#15803d")), js=[], disable_xml_declaration=False,
                  width=WIDTH, height=HEIGHT, range=(0, 100),
                  print_values=True, print_values_position="top", value_formatter=lambda v: f"{v:.0f}",  # the axis
                  y_labels=[0, 20, 40, 60, 80, 100],
                  show_legend=True, legend_at_bottom=True, truncate_label=-1)
    return {**config, **kw}


def _two_places(value) -> str:
    return "" if value is None else f"{value:.2f}"


def _number(value: Decimal | None) -> float | None:
    # the drawing only: the table beside the chart gives the exact numbers
    return None if value is None else float(value)


def criteria_bars(title: str, names: list[str], party: list[Decimal | None], average: list[Decimal | None],
                  party_label: str, average_label: str) -> bytes:
    chart = pygal.Bar(**_config(title=title, x_label_rotation=0 if len(names) <= 4 else 30))
    chart.x_labels = names
    chart.add(party_label, [_number(v) for v in party], formatter=_two_places)
    chart.add(average_label, [_number(v) for v in average], formatter=_two_places)
    return chart.render()


def ranking_bars(title: str, names: list[str], finals: list[Decimal]) -> bytes:
    chart = pygal.HorizontalBar(**_config(title=title, show_legend=False,
                                          height=max(200, 80 + 40 * len(names))))
    # pygal draws the first series entry at the bottom: reverse so rank 1 is on top
    chart.x_labels = list(reversed(names))
    chart.add(title, [_number(v) for v in reversed(finals)], formatter=_two_places)
    return chart.render()


def years_line(title: str, years: list[int], finals: list[Decimal | None], label: str) -> bytes:
    chart = pygal.Line(**_config(title=title, show_legend=False, dots_size=5))
    chart.x_labels = [str(y) for y in years]
    chart.add(label, [_number(v) for v in finals], formatter=_two_places)
    return chart.render()

