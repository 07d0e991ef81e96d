"""What the API's environment (.venv) and the dialogue's (.venv-rasa) must agree on, in one place.

Standard library only, installed in both: profile slots and codes (`profile`), reply payload types and
message limits (`messages`), month names and dates (`dates`), the headings cards and roadmaps share
(`labels`), the lever resolver (`levers`), language detection (`language`) and which typed ids and names may
be stored (`inputs`).
"""

from .dates import MONTHS, month_year
from .inputs import MAX_SENDER_CHARS, name_problem, sender_problem, tidy_name, unsafe_character
from .labels import HEADINGS, heading
from .language import detect, detect_with_confidence, fold
from .levers import LeverIndex, resolve_lever
from .messages import LIMITS, TEXT_SAYS_IT_ALL, PayloadType, shorten
from .profile import CODES, FLAG_SLOTS, PROFILE_SLOTS, UNKNOWN, VOCABULARY_OF

__all__ = [
    "CODES",
    "HEADINGS",
    "FLAG_SLOTS",
    "LIMITS",
    "MAX_SENDER_CHARS",
    "MONTHS",
    "PROFILE_SLOTS",
    "TEXT_SAYS_IT_ALL",
    "UNKNOWN",
    "VOCABULARY_OF",
    "LeverIndex",
    "PayloadType",
    "detect",
    "detect_with_confidence",
    "fold",
    "heading",
    "month_year",
    "name_problem",
    "resolve_lever",
    "sender_problem",
    "shorten",
    "tidy_name",
    "unsafe_character",
]
