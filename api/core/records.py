"""The small validated types every knowledge record is made of: texts in two languages, codes, sources."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class I18n(Strict):
    """A text written in both languages."""

    fr: Text
    en: Text

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr


class I18nList(Strict):
    """A list of texts, one list per language, of the same length."""

    fr: list[Text] = Field(min_length=1)
    en: list[Text] = Field(min_length=1)

    @model_validator(mode="after")
    def _same_length(self) -> I18nList:
        if len(self.fr) != len(self.en):
            raise ValueError(f"fr has {len(self.fr)} items but en has {len(self.en)}")
        return self

    def get(self, lang: str) -> list[str]:
        return self.en if lang == "en" else self.fr


class Source(Strict):
    """A public document a fact comes from."""

    id: Code
    title: Text
    publisher: Text | I18n  # one name, or a description in each language where the name is unknown
    date: dt.date
    kind: Literal["press", "official", "law", "trade-press"] = "press"
    url: str | None = None
    seed: str | None = None  # file name in shared/seeds the text was read from
    accessed: dt.date | None = None  # when we read it (the date its facts were checked against it)
    note: str | None = None  # how the date or publisher was established

    def publisher_in(self, lang: str) -> str:
        return self.publisher if isinstance(self.publisher, str) else self.publisher.get(lang)

    @model_validator(mode="after")
    def _findable(self) -> Source:
        if not (self.url or self.seed):
            raise ValueError("a source needs a url or a seed")
        if self.url and not self.url.startswith(("https://", "http://")):
            raise ValueError(f"url must be a web address (https:// or http://): {self.url}")
        return self


