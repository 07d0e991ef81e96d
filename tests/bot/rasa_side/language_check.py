"""Run in .venv-rasa (tests/bot/test_language.py): components/language.py's `detect` on the texts given."""

from __future__ import annotations

import json
import sys
from pathlib import Path

BOT = Path(__file__).resolve().parents[3] / "bot"
sys.path.insert(0, str(BOT))


def main() -> None:
    from components.language import detect

    print("REPORT " + json.dumps({text: detect(text) for text in sys.argv[1:]}))


if __name__ == "__main__":
    main()
