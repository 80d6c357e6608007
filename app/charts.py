"""Charts (pygal) drawn to be read on a phone: shown as <img> at about 310 px
wide on a 360 px screen, so they are drawn 400 wide with type large enough to
stay about 15 px after that shrinking. Every chart has its figures in a table
beside it; the chart is the overview, the table the record."""
from __future__ import annotations

from flask import make_response
from pygal.style import Style

WIDTH, HEIGHT = 400, 340
CJK_FONTS = "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', sans-serif"


def phone_style(colors: tuple[str, ...]) -> Style:
    return Style(background="white", plot_background="white", foreground="#1f2933", foreground_strong="#1f2933",
                 foreground_subtle="#52606d", colors=colors, font_family=CJK_FONTS, title_font_size=20,
                 label_font_size=18, major_label_font_size=18, value_font_size=18, legend_font_size=18,
                 tooltip_font_size=18)


def phone_chart(kind, colors: tuple[str, ...], **options):
    """A pygal chart of `kind` (pygal.Bar, pygal.Line…) with the phone size and style; `options` add or override."""
    return kind(**{"style": phone_style(colors), "width": WIDTH, "height": HEIGHT, "js": [],
                   "legend_at_bottom": True, "truncate_label": -1, **options})


def svg_response(chart):
    """The chart (or its rendered SVG) as an image response."""
    response = make_response(chart.render() if hasattr(chart, "render") else chart)
    response.headers["Content-Type"] = "image/svg+xml"
    return response
