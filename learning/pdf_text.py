"""Chinese line breaking for the PDFs (certificates, archives).

reportlab's CJK wrapping breaks between any two characters: it leaves "《" at a line end, splits
"2026" or a certificate code across lines and starts lines with "，". `CJKParagraph` keeps
reportlab's drawing and swaps in a breaker that follows the usual Chinese rules (GB/T 15834 禁则):

- no line starts with closing punctuation (，。、；：！？）》」』】 …) and none ends with opening
  punctuation (（《「『【 …);
- a run of Latin letters, digits and code punctuation (dates, 学时, codes, web addresses) stays whole;
- a digit stays with the unit after it and a date with itself (2026年3月5日, 3学时), and a title in 《…》 stays on one line,
  unless it is longer than a line, where it breaks inside like any other text;
- a paragraph does not end on a line of one or two characters.
"""

from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import ParaLines, cjkU, makeCJKParaLine
from reportlab.rl_config import _FUZZ

NO_START = set("，。、；：！？）》」』】〕〉〗”’…—·～%‰℃,.;:!?)]}>")
NO_END = set("（《「『【〔〈〖“‘([{<￥$#@")
# Characters inside a code or a web address: "MJ-2026-AB12", "https://mj.example.cn/verify/…", "1.5".
WORD_JOINERS = set("-_./:@#%+=?&~")
TITLE_OPEN, TITLE_CLOSE = "《", "》"
WIDOW = 3  # a last line shorter than this many characters pulls some down from the line before

# Break levels, from most to least wanted. A position may break if its level is at most the level tried.
FREE, INSIDE_TITLE, NUMBER_UNIT, WORD, NEVER = 0, 1, 2, 3, 4


def _is_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in WORD_JOINERS)


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def break_levels(text: str) -> list[int]:
    """levels[i] says how bad a line break before text[i] is (FREE … NEVER); levels[0] is NEVER."""
    levels = [FREE] * len(text)
    if text:
        levels[0] = NEVER
    title_depth = 0
    for i, ch in enumerate(text):
        if i == 0:
            title_depth += ch == TITLE_OPEN
            continue
        prev = text[i - 1]
        if ch in NO_START or prev in NO_END:
            levels[i] = NEVER
        elif _is_word(prev) and _is_word(ch):
            levels[i] = WORD
        elif prev.isspace() or ch.isspace():
            levels[i] = FREE if prev.isspace() else NEVER
        elif (prev.isascii() and prev.isdigit() and _is_cjk(ch)) or (prev in "年月" and ch.isascii() and ch.isdigit()):
            levels[i] = NUMBER_UNIT
        elif title_depth > 0:
            levels[i] = INSIDE_TITLE
        if ch == TITLE_OPEN:
            title_depth += 1
        elif ch == TITLE_CLOSE and title_depth:
            title_depth -= 1
    return levels


def _width(u, max_width: float) -> float:
    w = u.width
    if hasattr(w, "normalizedValue"):
        w._normalizer = max_width
        w = w.normalizedValue(max_width)
    return w


def split_glyphs(glyphs: list, levels: list[int], max_widths: list[float]) -> list[tuple[int, int, bool]]:
    """Greedy line filling; returns (start, end, forced) per line. `glyphs` are reportlab cjkU items."""
    lines = []
    start, n = 0, len(glyphs)
    while start < n:
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        used, i, end, forced = 0.0, start, None, False
        while i < n:
            if hasattr(glyphs[i].frag, "lineBreak"):  # <br/>
                end, forced = i + 1, True
                break
            used += _width(glyphs[i], max_width)
            if used > max_width + _FUZZ and i > start:
                break
            i += 1
        if end is None:
            if i >= n:
                end = n
            else:
                # Overflow at glyph i: break at the latest position with the lowest badness that exists
                # (a code or an address longer than the line breaks inside, never before a "，").
                for level in (FREE, INSIDE_TITLE, NUMBER_UNIT, WORD):
                    candidates = [p for p in range(i, start, -1) if levels[p] <= level]
                    if candidates:
                        end = candidates[0]
                        break
                else:
                    end = i
        lines.append((start, end, forced))
        start = end
        # A space that caused the break does not start the next line.
        while start < n and str(glyphs[start]) == " " and not forced:
            start += 1
    return _no_widow(lines, levels, n)


def _no_widow(lines: list[tuple[int, int, bool]], levels: list[int], n: int) -> list[tuple[int, int, bool]]:
    """A last line of one or two characters ("时。") takes a few more from the line before it."""
    if len(lines) < 2 or lines[-2][2] or n - lines[-1][0] >= WIDOW:
        return lines
    (prev_start, prev_end, _), (last_start, _end, _) = lines[-2], lines[-1]
    for p in range(last_start - 1, prev_start + 1, -1):
        if levels[p] == FREE and n - p >= WIDOW and p - prev_start > (prev_end - prev_start) // 2:
            return [*lines[:-2], (prev_start, p, False), (p, n, False)]
    return lines


class CJKParagraph(Paragraph):
    """A Paragraph whose Chinese text breaks by the rules above; everything else is reportlab's."""

    def __init__(self, text, style, *args, **kwargs):
        style.wordWrap = "CJK"
        super().__init__(text, style, *args, **kwargs)

    def breakLinesCJK(self, maxWidths):  # noqa: N802, N803 (reportlab's names)
        if not isinstance(maxWidths, list | tuple):
            maxWidths = [maxWidths]
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return self.blPara
        style = self.style
        self.height = 0
        glyphs = []
        for frag in self.frags:
            text = frag.text.decode("utf8") if isinstance(frag.text, bytes) else frag.text
            if text:
                glyphs.extend(cjkU(t, frag, "utf8") for t in text)
            else:
                glyphs.append(cjkU(text, frag, "utf8"))
        if not glyphs:
            return ParaLines(kind=1, lines=[], fontSize=style.fontSize, fontName=style.fontName)
        text = "".join(str(g) if str(g) else "\n" for g in glyphs)
        levels = break_levels(text)
        lines = []
        for start, end, forced in split_glyphs(glyphs, levels, list(maxWidths)):
            max_width = maxWidths[min(len(lines), len(maxWidths) - 1)]
            chunk = glyphs[start:end]
            while chunk and str(chunk[-1]) == " " and not forced:
                chunk = chunk[:-1]
            used = sum(_width(g, max_width) for g in chunk)
            lines.append(makeCJKParaLine(chunk, max_width, used, max_width - used, forced, False))
        return ParaLines(kind=1, lines=lines)
