"""An NLU component that tags each message with its language (fr or en) as a `language` entity.

The `language` slot fills from that entity, so every response can follow the founder's language.
A message with no telling word (e.g. "ok", "IRM") yields no entity and the slot keeps its value.
The word lists mirror retrieval/analysis.py's detector, which lives in the other environment.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

FR = set(
    """le la les un une des du de au aux et est sont nous vous notre nos votre vos je tu il elle on
    pour avec dans sur par pas ne qui que quoi quel quelle quels quelles comment combien quand ou
    oui non merci bonjour salut bonsoir ce cette ces mon ma mes ton ta tes son sa ses leur leurs
    avons avez ont fait faire peut peux veux voudrais aimerait cherchons besoin aussi tres plus
    moins deja encore parce mais donc car d l j m n s c qu c'est aide projet""".split()
)
EN = set(
    """the a an and is are we you our your i it he she they for with in on by not who what which
    how much many when where yes no thanks thank hello hi hey this that these those my his her their
    have has do does can could would want need looking also very more less already still because
    but so of to from help project""".split()
)
_WORD = re.compile(r"[a-z']+")
# English contractions ("let's", "it's", "don't", "we're", "I'll"): the letters after the apostrophe are
# English, where a French elision puts its letter before it ("l'aide", "c'est", "s'il")
_EN_CONTRACTION = re.compile(r"^([a-z]+)'(s|t|re|ve|ll|m|d)$")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    return "".join(c for c in text if not unicodedata.combining(c))


def detect(text: str) -> str | None:
    """fr, en, or None when nothing tells (accents count for French)."""
    words, contractions = [], 0
    for tok in _WORD.findall(_fold(text)):
        contraction = _EN_CONTRACTION.match(tok)
        if contraction and len(contraction.group(1)) > 1:
            contractions += 1
            words.append(contraction.group(1))
        else:
            words.extend(w for w in tok.split("'") if w)
    fr = sum(w in FR and w not in EN for w in words) + 2 * len(re.findall(r"[éèêàùçôîûœ]", text.lower()))
    en = sum(w in EN and w not in FR for w in words) + contractions
    if fr == en:
        return None
    return "fr" if fr > en else "en"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageDetector(GraphComponent):
    """Adds {"entity": "language", "value": "fr"|"en"} to messages whose language is clear."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            lang = detect(message.get("text") or "")
            if lang is None:
                continue
            entity = {"entity": "language", "value": lang, "start": 0, "end": 0,
                      "confidence": 1.0, "extractor": "LanguageDetector"}
            message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)
        return messages
