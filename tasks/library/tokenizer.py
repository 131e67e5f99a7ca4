"""Chinese tokens for the legal library: one tokenizer shared by search and similar cases.

jieba with the legal user dictionary (``data/legal_dict.txt``, built by
:mod:`tasks.library.build_dictionary`: charge names, the forms verdicts write them in,
statute names, 第…条 article numbers, graded terms such as 数额巨大) and the stop words
of ``data/stopwords.txt``. A private :class:`jieba.Tokenizer` is used, so the global
jieba other modules may use keeps its own dictionary.

Two modes: ``index`` (jieba's search mode: a long word also gives its known parts, so
a query 交通肇事 finds 交通肇事罪) for what is stored, ``query`` (precise mode) for what
a user types; both drop stop words, punctuation and bare numbers.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Literal

import jieba

from dossier.settings import get_settings

DATA_DIR = Path(__file__).resolve().parent / "data"
USER_DICT = DATA_DIR / "legal_dict.txt"
STOPWORDS = DATA_DIR / "stopwords.txt"
Mode = Literal["index", "query"]

# A token is kept when it holds a Chinese character or a Latin letter (5G, QQ, APP);
# bare numbers (amounts, dates) are noise for retrieval and are compared structurally.
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_lock = threading.Lock()

__all__ = ["stopwords", "tokenize", "tokenizer", "user_words"]


def _lines(path: Path) -> list[str]:
    return [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


@lru_cache(maxsize=1)
def user_words() -> frozenset[str]:
    return frozenset(line.split()[0] for line in _lines(USER_DICT))


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(_lines(STOPWORDS))


@lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    """jieba with the legal dictionary (initialised once; ~1 s from jieba's cache)."""
    with _lock:
        jieba.setLogLevel(logging.WARNING)
        tk = jieba.Tokenizer()
        # jieba keeps its parsed dictionary in the system's temp folder by default; a run
        # writes only under the data folder and the store.
        cache = get_settings().data_dir / "cache" / "jieba"
        cache.mkdir(parents=True, exist_ok=True)
        tk.tmp_dir = str(cache)
        tk.initialize()
        tk.load_userdict(io.StringIO("\n".join(_lines(USER_DICT)) + "\n"))
        return tk


@lru_cache(maxsize=200_000)
def _keep(word: str) -> bool:
    """Whether a jieba word is a retrieval token (cached: judgments repeat their words)."""
    return bool(word) and word not in stopwords() and _WORD.search(word) is not None


def tokenize(text: str, mode: Mode = "index") -> list[str]:
    """The retrieval tokens of ``text`` in order (repeats kept: BM25 counts them).

    jieba's HMM guess at unknown words is off: it costs ~15% of the time and only
    decides how names split, which neither search (the query is cut the same way)
    nor similar cases need.
    """
    if not text:
        return []
    tk = tokenizer()
    words = tk.cut_for_search(text, HMM=False) if mode == "index" else tk.cut(text, HMM=False)
    return [w for w in words if _keep(w)]
