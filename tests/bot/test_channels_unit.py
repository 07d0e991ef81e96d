"""The Slack and Teams renderings: long texts split or trimmed within each platform's limits, markup escaped."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bot"))

from channels import slack_blocks, teams_cards  # noqa: E402
from channels.ids import MAX_SENDER_CHARS, slack_sender, teams_sender  # noqa: E402
from channels.recent import Recent  # noqa: E402
from channels.text import slack_mrkdwn, split_text, trim  # noqa: E402
from tests.bot.fakes.slack import blocks_problem  # noqa: E402

PARAGRAPH = "Le guichet oriente les porteurs de projets vers les bons leviers de la stratégie nationale. " * 8
LONG = "\n\n".join(f"{i}. {PARAGRAPH}" for i in range(120))  # about 90,000 characters
CARD = {"id": "bpifrance-innovation", "name": "Aides à l'innovation <Bpifrance> & co",
        "why": ["Besoin exprimé : financer " + "x" * 3000], "amount": {"label": "50 M€", "as_of": "2021-10-20"},
        "next_step": "Contacter Bpifrance", "source": "Gouvernement, 2021-10-20", "criteria": []}


def words(text: str) -> list[str]:
    return text.split()


def test_split_text_keeps_every_word_within_the_limit_at_paragraph_breaks() -> None:
    """Long text is cut into chunks under the limit, between paragraphs, losing no word."""
    chunks = split_text(LONG, 3000)
    assert all(len(c) <= 3000 for c in chunks) and len(chunks) > 25
    assert words(" ".join(chunks)) == words(LONG)
    assert all(c.rstrip().endswith(".") for c in chunks)  # whole paragraphs here


def test_split_text_cuts_an_unbroken_string_hard() -> None:
    """A string with no space is still cut under the limit."""
    assert [len(c) for c in split_text("a" * 7000, 3000)] == [3000, 3000, 1000]


def test_trim_cuts_at_a_word_with_an_ellipsis() -> None:
    """A trimmed text fits, ends with an ellipsis and does not cut a word in half."""
    out = trim("Prendre contact avec Bpifrance pour identifier l'aide adaptée", 30)
    assert len(out) <= 30 and out.endswith("…") and out[:-1].split()[-1] in "Prendre contact avec Bpifrance"


def test_slack_markup_in_bot_text_is_escaped_and_markdown_converted() -> None:
    """<!channel>, links and & cannot pass as Slack markup; **bold** and headings become Slack bold."""
    out = slack_mrkdwn("# Feuille de route\n**Étape 1** <!channel> <https://x.example|clic> R&D")
    assert "<" not in out and ">" not in out and "&amp;" in out
    assert out.startswith("*Feuille de route*\n*Étape 1*")


def test_slack_long_text_and_many_buttons_fit_block_kit_limits() -> None:
    """90,000 characters and 60 buttons give messages Slack accepts, with every word kept."""
    buttons = [{"title": f"Option {i} " + "très longue " * 10, "payload": f"/choose{{\"n\":{i}}}"} for i in range(60)]
    msgs = slack_blocks.messages(LONG + LONG + " <b>&", buttons)
    assert len(msgs) > 1
    for m in msgs:
        assert blocks_problem(m["blocks"]) is None and len(m["text"]) <= slack_blocks.FALLBACK_CHARS
    sections = [b["text"]["text"] for m in msgs for b in m["blocks"] if b["type"] == "section"]
    assert words(" ".join(sections).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")) == words(
        LONG + LONG + " <b>&")
    values = [e["value"] for m in msgs for b in m["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert values == [b["payload"] for b in buttons]


def test_slack_lever_cards_carry_ids_labels_and_escaped_names() -> None:
    """Each lever is a section with block_id lever:<id>, its labels in the founder's language, trimmed."""
    msg = slack_blocks.messages("texte", [{"title": "Ma feuille de route", "payload": "/request_roadmap"}],
                                [CARD], "fr")[0]
    lever = next(b for b in msg["blocks"] if b.get("block_id") == "lever:bpifrance-innovation")
    text = lever["text"]["text"]
    assert "&lt;Bpifrance&gt; &amp; co" in text and "*Enveloppe nationale* : 50 M€ (chiffre d’octobre 2021)" in text
    assert len(text) <= slack_blocks.SECTION_CHARS and blocks_problem(msg["blocks"]) is None
    english = slack_blocks.messages("", None, [CARD], "en")[0]
    assert "*National envelope*: 50 M€ (figure of October 2021)" in json.dumps(english, ensure_ascii=False)


def test_teams_buttons_are_message_back_actions_carrying_the_payload() -> None:
    """Every button is an Action.Submit of type messageBack whose text and value are the Rasa payload."""
    [activity] = teams_cards.activities("Est-ce bien ça ?", [{"title": "Oui", "payload": "/affirm"}])
    action = activity["attachments"][0]["content"]["body"][-1]["actions"][0]
    assert action["type"] == "Action.Submit"
    assert action["data"]["msteams"] == {"type": "messageBack", "displayText": "Oui", "text": "/affirm",
                                         "value": {"payload": "/affirm"}}


def test_teams_long_text_is_split_under_the_size_limit_and_html_escaped() -> None:
    """Long text becomes several messages under 28 KB each; HTML in bot text is escaped."""
    acts = teams_cards.activities(LONG, [{"title": "Oui", "payload": "/affirm"}] * 8)
    assert len(acts) > 10 and all(len(json.dumps(a).encode()) < 28_000 for a in acts)
    assert words(" ".join(a.get("text", "") for a in acts) + " " + json.dumps(acts[-1])) [:20] == words(LONG)[:20]
    [plain] = teams_cards.activities("Voir <at>Tous</at> & <b>R&D</b>")
    assert plain["text"] == "Voir &lt;at&gt;Tous&lt;/at&gt; &amp; &lt;b&gt;R&amp;D&lt;/b&gt;"
    sets = [b for b in acts[-1]["attachments"][0]["content"]["body"] if b["type"] == "ActionSet"]
    assert [len(s["actions"]) for s in sets] == [6, 2]


def test_teams_lever_card_is_trimmed_and_carries_lever_ids() -> None:
    """A lever with a very long reason stays a small card; its container id is lever:<id>."""
    [activity] = teams_cards.activities("", [], [CARD, {**CARD, "id": "french-tech"}], "en")
    body = activity["attachments"][0]["content"]["body"]
    assert [b["id"] for b in body if b["type"] == "Container"] == ["lever:bpifrance-innovation", "lever:french-tech"]
    assert len(json.dumps(activity).encode()) < 10_000


def test_recent_keys_are_duplicates_until_they_expire() -> None:
    """A key seen is a duplicate; after its lifetime, or beyond the size bound, it is new again."""
    now = [0.0]
    seen = Recent(2, 10, clock=lambda: now[0])
    assert seen.add("a") and not seen.add("a") and seen.add("")
    now[0] = 11
    assert seen.add("a") and seen.add("b") and not seen.add("b")
    assert seen.add("c") and "a" not in seen and "b" in seen  # at most two keys: the oldest goes


def test_conversation_ids_fit_the_tracker_store() -> None:
    """Slack and Teams conversation ids stay under 255 characters and differ per thread or chat."""
    assert slack_sender("T1", "C1", "1.2", "U1") != slack_sender("T1", "C1", "1.3", "U1")
    assert len(teams_sender("a:" + "x" * 500, "29:" + "y" * 500)) <= MAX_SENDER_CHARS
    assert teams_sender("a:1", "u") != teams_sender("a:2", "u")


ANSWER = {"type": "answer", "lang": "fr", "answer": "Jusqu'à 60 % des frais [1]. <!channel> [x](https://evil.example)",
          "citations": [{"n": 1, "title": "Stratégie <santé> & co", "publisher": "Gouvernement", "date": "2021-10-18",
                         "url": "https://www.gouvernement.fr/a?b=1&c=2"},
                        {"n": 2, "title": "Piège", "publisher": "X", "date": "2022-01-01", "url": "http://plain.example"},
                        {"title": "Ancien", "source": "Presse, 2021-02-19"}]}


def _roadmap_markdown() -> str:
    from api.core import roadmap

    lever = {"name": "Aides <b>à l'innovation</b> nouveaux_usages", "summary": "Résumé", "reasons": ["Besoin"],
             "criteria": [{"name": "Entreprise", "verdict": "met", "evidence": {"text": "clause", "source": "Gouv"}}],
             "amounts": [{"label": "50 M€", "scope": "national", "as_of": "2021-10-20", "source": "Gouv"}],
             "next_steps": ["Étape un", "Étape deux", "Étape trois", "Étape quatre"],
             "contact": {"label": "Bpifrance", "url": "https://www.bpifrance.fr"}, "sources": ["Gouv, 2021"]}
    return roadmap.render({"profile": {"stage": "prototype"}, "levers": [lever, lever | {"name": "Second"}]},
                          {"prototype": "Prototype"}, "fr")


def test_slack_answer_links_its_sources_only_to_https() -> None:
    """An answer's sources are numbered Slack links (escaped) for https URLs, plain text otherwise."""
    msg = slack_blocks.messages("Jusqu'à 60 %", None, None, "fr", ANSWER)[0]
    assert blocks_problem(msg["blocks"]) is None
    dump = json.dumps(msg["blocks"], ensure_ascii=False)
    link = "<https://www.gouvernement.fr/a?b=1&amp;c=2|Stratégie &lt;santé&gt; &amp; co>"
    assert f"{link} — Gouvernement, 2021-10-18" in dump and "[2] Piège — X, 2022-01-01" in dump
    assert "http://plain" not in dump and "[3] Ancien — Presse, 2021-02-19" in dump
    assert "<!channel>" not in dump


def test_teams_answer_links_its_sources_and_forms_no_link_from_the_answer() -> None:
    """Teams gets the answer in a card with Markdown links to https sources; the answer's own text cannot
    form a link."""
    card = teams_cards.activities("Jusqu'à 60 %", [], None, "fr", ANSWER)[0]["attachments"][0]["content"]
    texts = [b["text"] for b in card["body"]]
    assert "](https://evil" not in texts[0]
    assert "[1] [Stratégie <santé> & co](https://www.gouvernement.fr/a?b=1&c=2) — Gouvernement, 2021-10-18" in texts
    assert "[2] Piège — X, 2022-01-01" in texts and "[3] Ancien — Presse, 2021-02-19" in texts


def test_roadmap_is_laid_out_in_slack_and_teams_not_sent_as_markdown() -> None:
    """The roadmap Markdown becomes a Slack header and one section per lever (criteria, first three steps),
    and a Teams card whose levers open on a click; no Markdown marker or HTML from the data is left."""
    from actions.formatting import t

    # the headings the channels look for are those the API's document writes
    assert f"### {t('roadmap_criteria', 'fr')}\n" in _roadmap_markdown()
    assert f"### {t('roadmap_next', 'fr')}\n" in _roadmap_markdown()
    custom = {"type": "roadmap", "lang": "fr", "markdown": _roadmap_markdown()}
    msg = slack_blocks.messages("Votre feuille de route", [{"title": "Conseiller", "payload": "/request_advisor"}],
                                None, "fr", custom)[0]
    assert blocks_problem(msg["blocks"]) is None and msg["blocks"][0]["type"] == "header"
    sections = [b["text"]["text"] for b in msg["blocks"] if b["type"] == "section"]
    lever = next(s for s in sections if "Aides" in s)
    assert lever.startswith("*1. Aides &lt;b&gt;à l'innovation&lt;/b&gt; nouveaux_usages*") and "• Étape trois" in lever
    assert "Étape quatre" not in lever and "##" not in lever and "\\" not in lever
    card = teams_cards.activities("Votre feuille de route", [], None, "fr", custom)[0]["attachments"][0]["content"]
    toggles = [b for b in card["body"] if b.get("selectAction")]
    assert len(toggles) == 2 and toggles[0]["selectAction"]["targetElements"] == ["roadmap-1"]
    hidden = next(b for b in card["body"] if b.get("id") == "roadmap-1")
    assert hidden["isVisible"] is False and "- Étape quatre" in json.dumps(hidden, ensure_ascii=False)
    assert "##" not in json.dumps(card, ensure_ascii=False)


def test_detail_button_labels_are_cut_at_a_word() -> None:
    """A lever's details button fits 60 characters and ends on a whole word with an ellipsis."""
    from actions.formatting import card_buttons

    name = "Programmes et équipements prioritaires de recherche (PEPR) en santé numérique"
    title = card_buttons([{"id": "pepr-research", "name": name}], "fr")[0]["title"]
    assert len(title) <= 60 and title.endswith("…") and title[:-1].split()[-1] in name.split()
