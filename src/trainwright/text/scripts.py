"""Scripts written without spaces between words: Han ideographs, kana, and Hangul (within words)."""

import re

CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
CJK = re.compile(f"[{CJK_RANGES}]")
