"""Whether a page or a file names something, as a whole word.

Pages carry random tokens (the CSRF token, the content security policy's nonce): a country
code such as XAA turns up inside one now and then, and a plain `in` would call that a leak.
"""

import re


def names(text: str, word: str) -> bool:
    """Whether `word` stands in `text` with no letter or digit right before or after it."""
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", text) is not None
