"""Which typed strings may be stored and echoed: conversation (sender) ids and a founder's name.

Both sides check the same way: the bot's channels and the hand-off form (re-ask, 4xx), the API's hand-off and
feedback bodies (422). Refused: C0/C1 control characters (terminal escapes such as ESC [ 31 m), Unicode format
characters (bidi overrides and isolates U+202A-U+202E, U+2066-U+2069, marks, zero-width characters), line and
paragraph separators, surrogates and private-use code points (not "unassigned": the two environments' Python
versions know different Unicode versions, and both sides must answer alike).
"""

from __future__ import annotations

import unicodedata

MAX_SENDER_CHARS = 128  # a conversation id: the REST channel's limit and the API's conversation_id
NAME_CHARS = (2, 100)  # a founder's name in the hand-off, once its whitespace is collapsed
# Unicode general categories never allowed: control, format, surrogate, private use, separators of lines and
# paragraphs (tab, CR and LF are controls: allowed in a name only as whitespace, see tidy_name).
_UNSAFE = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}
_WHITESPACE_CONTROLS = {"\t", "\n", "\r"}


def unsafe_character(text: str, allow_whitespace: bool = False) -> str | None:
    """The first character that may not be stored or echoed, as "U+XXXX", or None."""
    for char in text:
        if allow_whitespace and char in _WHITESPACE_CONTROLS:
            continue
        if unicodedata.category(char) in _UNSAFE:
            return f"U+{ord(char):04X}"
    return None


def sender_problem(sender: object) -> str | None:
    """What is wrong with a conversation id given by a client (None: acceptable as is)."""
    if not isinstance(sender, str) or not 0 < len(sender) <= MAX_SENDER_CHARS:
        return f"'sender' must be a string of 1 to {MAX_SENDER_CHARS} characters"
    if not sender.strip():
        return "'sender' must not be blank"
    bad = unsafe_character(sender)
    if bad:
        return f"'sender' holds a control or formatting character ({bad})"
    return None


def tidy_name(name: str) -> str:
    """A typed name with its whitespace collapsed, as it is stored and echoed."""
    return " ".join(name.split())


def name_problem(name: object) -> str | None:
    """What is wrong with a founder's name for the hand-off (None: tidy_name(name) is acceptable)."""
    if not isinstance(name, str):
        return "the name must be a string"
    bad = unsafe_character(name, allow_whitespace=True)
    if bad:
        return f"the name holds a control or formatting character ({bad})"
    tidy = tidy_name(name)
    low, high = NAME_CHARS
    if not low <= len(tidy) <= high:
        return f"the name must have {low} to {high} characters besides spaces"
    if not any(unicodedata.category(c).startswith("L") for c in tidy):
        return "the name must contain letters"
    if tidy.startswith("/"):
        return "the name must not start with '/'"
    return None
