"""The share card: a 1200×630 PNG for `og:image`, drawn with Pillow (SPEC §11).

A pure function of what it shows: the title, a few words already in the
reader's language, and the results, or None when a non-voter may not see them
(the view asks `results_visible` as a reader who has not voted). With None,
nothing of the tally reaches the image: not a bar, not a total.
"""
from __future__ import annotations

import functools
import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from dilemmaboard.voting.results import Results

WIDTH, HEIGHT = 1200, 630
MARGIN = 60
FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"
# The site's palette (static/style.css): paper, ink, muted, the kicker's signal red, the bars.
PAPER, INK, MUTED, ACCENT = "#f8f6f1", "#1d1c1a", "#57534c", "#a1262b"
BAR, TRACK = "#3a6fb0", "#e6e3dc"
# Where the bars go: with hidden results this box stays paper (tests look at it).
BARS_TOP, BARS_BOTTOM = 300, 560
ROW_HEIGHT, ROW_GAP = 40, 12
TRACK_LEFT, TRACK_RIGHT = MARGIN + 50, WIDTH - MARGIN - 130


@functools.cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def _fit_title(draw, title: str, max_lines: int, sizes: tuple[int, ...]):
    """The largest size at which the title fits in `max_lines`; else cut with an ellipsis."""
    width = WIDTH - 2 * MARGIN
    for size in sizes:
        font = _font(size, bold=True)
        lines = _wrap(draw, title, font, width)
        if len(lines) <= max_lines:
            return font, lines
    lines = lines[:max_lines]
    while lines[-1] and draw.textlength(lines[-1] + " …", font=font) > width:
        lines[-1] = lines[-1].rsplit(" ", 1)[0] if " " in lines[-1] else lines[-1][:-1]
    lines[-1] += " …"
    return font, lines


def draw_card(title: str, results: Results | None, *, kicker: str, total_line: str,
              invitation: str, percent_label) -> bytes:
    """The card as PNG bytes. `percent_label(n)` writes a whole percent ("42 %")."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 14), fill=ACCENT)
    draw.text((MARGIN, 44), kicker, font=_font(28, bold=True), fill=ACCENT)
    max_lines, sizes = (2, (52, 44, 38)) if results else (4, (64, 56, 48, 42))
    font, lines = _fit_title(draw, title, max_lines, sizes)
    y = 100
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill=INK)
        y += int(font.size * 1.22)
    if results is None:
        draw.text((MARGIN, HEIGHT - 100), invitation, font=_font(34), fill=MUTED)
    else:
        _draw_bars(draw, results, percent_label)
        draw.text((MARGIN, BARS_BOTTOM + 12), total_line, font=_font(28, bold=True), fill=INK)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _draw_bars(draw, results: Results, percent_label) -> None:
    number_font, figure_font = _font(28, bold=True), _font(28, bold=True)
    y = BARS_TOP
    for row in results.options:
        middle = y + ROW_HEIGHT // 2
        draw.text((MARGIN, middle), str(row.number), font=number_font, fill=MUTED, anchor="lm")
        draw.rectangle((TRACK_LEFT, y, TRACK_RIGHT, y + ROW_HEIGHT), fill=TRACK)
        if row.percent:
            right = TRACK_LEFT + (TRACK_RIGHT - TRACK_LEFT) * row.percent // 100
            draw.rectangle((TRACK_LEFT, y, right, y + ROW_HEIGHT), fill=BAR)
        draw.text((TRACK_RIGHT + 20, middle), percent_label(row.percent), font=figure_font,
                  fill=INK, anchor="lm")
        y += ROW_HEIGHT + ROW_GAP
