"""What the API's environment (.venv) and the dialogue's (.venv-rasa) must agree on, in one place.

Standard library only, installed in both: profile slots and codes (`profile`), reply payload types and
message limits (`messages`), the lever resolver (`levers`) and language detection (`language`).
"""

from .language import detect, detect_with_confidence, fold
from .levers import LeverIndex, resolve_lever
from .messages import LIMITS, TEXT_SAYS_IT_ALL, PayloadType, shorten
from .profile import CODES, FLAG_SLOTS, PROFILE_SLOTS, UNKNOWN, VOCABULARY_OF

__all__ = [
    "CODES",
    "FLAG_SLOTS",
    "LIMITS",
    "PROFILE_SLOTS",
    "TEXT_SAYS_IT_ALL",
    "UNKNOWN",
    "VOCABULARY_OF",
    "LeverIndex",
    "PayloadType",
    "detect",
    "detect_with_confidence",
    "fold",
    "resolve_lever",
    "shorten",
]
