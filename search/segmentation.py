"""Chinese word segmentation for search: one segmenter, one domain dictionary, loaded once per process.

Index side (`segment_for_index`): the text becomes space-separated words, which both SQLite FTS5
(unicode61) and PostgreSQL (`simple` configuration) then treat as separate tokens. The words are
what rjieba's `cut_for_search` yields, arranged so that quoted phrases still work:

    加强对一把手监督，同级监督弱化  →  加强 对 一把手 监督 同级监督弱化 ‖ 一把 把手 同级 监督 弱化 同级监督

The accurate-mode words (`cut`) come first, in reading order, so a phrase is a run of adjacent
words; the finer sub-words that `cut_for_search` adds (一把, 把手, 同级, 监督 …) and dictionary
words of four or more characters inside longer words (同级监督 in 同级监督弱化, which rjieba's
search mode does not emit) follow after a separator. A search for 监督 therefore finds
同级监督弱化, while 督导 never matches 监督 because no word 督导 is ever produced from it.

Query side (`query_terms`): the query is cut in accurate mode; punctuation, stop words and (when
the query has longer words) single characters are dropped.
"""

import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import rjieba

DICTIONARY_PATH = Path(__file__).with_name("dictionary.txt")

# Frequency given to domain words without an explicit one: high enough that rjieba keeps
# them whole in ordinary sentences (三重一大, not 三重 / 一大), low enough not to swallow
# neighbouring common words.
DEFAULT_DOMAIN_FREQ = 5000

# Separates reading-order words from sub-words in the index text. Not a word character, so
# both FTS5 and PostgreSQL drop it; it is only there to make the stored text readable.
SUBWORD_SEPARATOR = " ‖ "

# Function words that carry no meaning on their own in a query (的 in 对一把手的监督).
STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "对",
        "在",
        "是",
        "之",
        "等",
        "把",
        "被",
        "将",
        "由",
        "从",
        "向",
        "于",
        "以",
        "为",
        "其",
        "这",
        "那",
        "有",
        "也",
        "都",
        "就",
        "而",
        "并",
        "及其",
        "以及",
        "关于",
        "对于",
        "如何",
        "怎么",
        "什么",
        "哪些",
        "一个",
        "一些",
        "进行",
        "问题的",
    ]
)

_WORD_RE = re.compile(r"\w+", re.UNICODE)
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Segmenter:
    jieba: rjieba.Jieba
    domain_words: frozenset[str]

    def cut(self, text: str) -> list[str]:
        return self.jieba.cut(text)

    def cut_for_search(self, text: str) -> list[str]:
        return self.jieba.cut_for_search(text)

    def has_word(self, word: str) -> bool:
        return self.jieba.has_word(word)


_lock = threading.Lock()


def read_dictionary(path: Path = DICTIONARY_PATH) -> list[tuple[str, int]]:
    """(word, frequency) pairs from a dictionary file: `word [freq]` per line, `#` comments."""
    entries = []
    for line_no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) > 2 or (len(parts) == 2 and not parts[1].isdigit()):
            raise ValueError(f"{path.name} line {line_no}: expected 'word [frequency]', got {raw!r}")
        entries.append((parts[0], int(parts[1]) if len(parts) == 2 else DEFAULT_DOMAIN_FREQ))
    return entries


@cache
def get_segmenter() -> Segmenter:
    """The process-wide segmenter with the domain dictionary (rjieba has no load_userdict)."""
    with _lock:
        jieba = rjieba.Jieba()
        entries = read_dictionary()
        for word, freq in entries:
            jieba.add_word(word, freq, None)
        return Segmenter(jieba=jieba, domain_words=frozenset(word for word, _ in entries))


def _words(token: str) -> list[str]:
    """The word characters of a token, lower-cased, split where punctuation sits inside it."""
    return [w.lower() for w in _WORD_RE.findall(token)]


def _long_subwords(seg: Segmenter, word: str) -> list[str]:
    """Dictionary words of 4+ characters strictly inside `word` (cut_for_search stops at 3)."""
    found = []
    n = len(word)
    for size in range(n - 1, 3, -1):
        for start in range(n - size + 1):
            sub = word[start : start + size]
            if sub not in found and seg.has_word(sub):
                found.append(sub)
    return found


def index_tokens(text: str) -> tuple[list[str], list[str]]:
    """(reading-order words, extra sub-words) for a text being indexed."""
    if not text:
        return [], []
    seg = get_segmenter()
    main: list[str] = []
    extra: list[str] = []
    for token in seg.cut(text):
        words = _words(token)
        if not words:
            continue
        main.extend(words)
        if len(token) > 2 and len(words) == 1 and _CJK_RE.search(token):
            for sub in seg.cut_for_search(token):
                if sub != token:
                    extra.extend(_words(sub))
            if len(token) > 4:
                extra.extend(_long_subwords(seg, token))
    # Domain terms are single words to a reader: index every one the text contains, even
    # where the surrounding characters made rjieba split it differently.
    present = set(main) | set(extra)
    for term in seg.domain_words:
        if term not in present and term in text:
            extra.append(term)
    return main, extra


def segment_for_index(text: str) -> str:
    """Text ready for a whitespace tokenizer: reading-order words, then sub-words."""
    main, extra = index_tokens(text)
    if extra:
        return " ".join(main) + SUBWORD_SEPARATOR + " ".join(extra)
    return " ".join(main)


def query_terms(text: str, *, partial: bool = False) -> list[str]:
    """The words of a typed query, each of which a result must contain (before synonyms).

    With `partial` (autocomplete) the last word is kept even when it is a single character,
    since the user may still be typing it (同级监 → 同级, 监…).
    """
    seg = get_segmenter()
    words: list[str] = []
    for token in seg.cut(text or ""):
        for word in _words(token):
            if word not in STOP_WORDS and word not in words:
                words.append(word)
    if any(len(w) > 1 for w in words):
        last = words[-1]
        words = [w for w in words if len(w) > 1 or not _CJK_RE.match(w)]
        if partial and words[-1] != last:
            words.append(last)
    return words


def phrase_words(text: str) -> list[str]:
    """The words of a quoted phrase in reading order, as `segment_for_index` lays them out."""
    seg = get_segmenter()
    return [w for token in seg.cut(text or "") for w in _words(token)]


def word_alternatives(word: str) -> list[list[str]]:
    """Other ways a query word may have been indexed, each a list of words that must all match.

    A query word rjieba keeps whole (领导干部) may sit in a text that was cut differently
    (主要领导 / 干部); its finer parts (领导 + 干部) then still find it. Domain terms are
    always indexed whole, so they need no fallback, and two-character words have none.
    """
    seg = get_segmenter()
    if len(word) <= 2 or word in seg.domain_words or not _CJK_RE.search(word):
        return []
    parts: list[str] = []
    for sub in seg.cut_for_search(word):
        if sub != word:
            parts.extend(w for w in _words(sub) if w not in parts)
    return [parts] if parts else []


def highlight_terms(query: str) -> list[str]:
    """Words to mark in snippets for a query (query words, longest first)."""
    terms = set()
    for part in (query or "").split('"'):
        terms.update(w for w in query_terms(part) if w)
    return sorted(terms, key=len, reverse=True)
