"""The shipped knowledge base, indexed for real with the packaged embedding model."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from api.core.brain import Brain, build_brain, embedder_from_settings
from api.core.catalogue import load_catalogue
from api.core.corpus import build_chunks
from api.settings import Settings
from retrieval.index import build_index

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
OWN_EVAL = ROOT / "eval" / "routing.jsonl"


@pytest.fixture(scope="session")
def real_brain(tmp_path_factory) -> Brain:
    """The real knowledge base and model, built once for the session (lexical if the model is missing)."""
    settings = Settings()
    embedder, reason = embedder_from_settings(settings)
    assert embedder is not None, reason  # the packaged model is a pinned dependency: it must load
    cat = load_catalogue(settings.knowledge_dir)
    chunks, skipped = build_chunks(cat, settings.knowledge_dir)
    assert skipped == []
    index_dir = tmp_path_factory.mktemp("real-index")
    build_index(chunks, index_dir, embedder)
    return build_brain(settings.knowledge_dir, index_dir, embedder, settings.fusion())  # as the API serves it


def _rows(kind: str) -> list[dict]:
    rows = [json.loads(line) for line in OWN_EVAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["kind"] == kind]


def test_hybrid_mode(real_brain: Brain) -> None:
    """With the packaged model the brain searches in hybrid mode."""
    assert real_brain.mode == "hybrid" and real_brain.notes == []


def test_own_routing_set(real_brain: Brain) -> None:
    """Our own routing questions (not the shared dev set) get their lever first in at least 85 % of cases."""
    rows = _rows("route")
    top1 = [real_brain.route(r["text"])["levers"][:1] for r in rows]
    good = sum(1 for r, t in zip(rows, top1, strict=True) if t and t[0]["id"] in r["levers"])
    misses = [
        (r["id"], t[0]["id"] if t else None)
        for r, t in zip(rows, top1, strict=True)
        if not t or t[0]["id"] not in r["levers"]
    ]
    assert good / len(rows) >= 0.85, misses


def test_own_off_topic_set(real_brain: Brain) -> None:
    """Every off-topic message of our own set is out of scope."""
    assert [r["id"] for r in _rows("oos") if real_brain.route(r["text"])["in_scope"]] == []


PATIENTS = [
    "J'ai 52 ans et ma dernière prise de sang montre une glycémie haute, je dois m'inquiéter ?",
    "Ma mutuelle rembourse-t-elle mes séances de kiné après l'opération ?",
    "Puis-je déduire mes frais kilométriques de ma déclaration d'impôts quand on est infirmière libérale ?",
    "My latest blood test shows high cholesterol, should I start statins straight away?",
    "Quels sont les horaires de visite du service de cardiologie du CHU ?",
    "How much does a hospital pharmacist earn in France?",
    "Can you proofread my cover letter for a nurse job at the CHU?",
]
FOUNDERS = [
    "J'ai 45 ans, je suis infirmière et je lance une appli pour suivre les patients diabétiques : qui peut financer ?",
    "I'm 30 and we are building a remote-monitoring app for heart failure, where do we start?",
    "Mon dernier bilan m'a donné l'idée d'une appli de suivi de la glycémie : par où commencer ?",
]


def test_patients_own_questions_are_out_founders_first_person_stories_in(real_brain: Brain) -> None:
    """A private person's own health, insurance, tax, job or visiting question is out of scope; a founder
    telling their story in the first person, age or tests included, stays in."""
    assert [t for t in PATIENTS if real_brain.route(t)["in_scope"]] == []
    assert [t for t in FOUNDERS if not real_brain.route(t)["in_scope"]] == []
    # the same rule for free questions: no citations of the strategy for someone's own blood test
    asked = real_brain.ask(PATIENTS[0])
    assert asked["in_scope"] is False and asked["citations"] == []
    assert real_brain.ask("J'ai 45 ans et je lance une appli de santé : quelles aides pour notre projet ?")["in_scope"]


def test_own_fact_set(real_brain: Brain) -> None:
    """Our own fact questions find the fact in the top 3 search results in at least 85 % of cases."""
    rows = _rows("fact")
    misses = []
    for r in rows:
        texts = [h.chunk.text for h in real_brain.search(r["text"], k=3)]
        if not any(re.search(r["fact"], t, re.I | re.S) for t in texts):
            misses.append(r["id"])
    assert len(misses) / len(rows) <= 0.15, misses


def test_every_contract_lever_is_reachable(real_brain: Brain) -> None:
    """Each lever's own first example phrasing routes to it first, in both languages; a topic's is named on one
    of the first three cards (its lever's: a "Bourse French Tech" request also resembles French Tech's)."""
    misses = []
    for lever in real_brain.catalogue.levers:
        for lang in ("fr", "en"):
            res = real_brain.route(lever.examples.get(lang)[0], lang=lang)
            first = res["levers"][0] if res["levers"] else {}
            if lever.within is None and first.get("id") != lever.id:
                misses.append((lever.id, lang, first.get("id")))
            elif lever.within and lever.id not in [tp["id"] for lv in res["levers"][:3] for tp in lv["topics"]]:
                misses.append((lever.id, lang, first.get("id"), [tp["id"] for tp in first.get("topics", [])]))
    assert misses == []


def test_changed_figures_keep_their_dates(real_brain: Brain) -> None:
    """The budget question cites both figures with their dates: 650 M€ at launch, 718.4 M€ a year later."""
    texts = " ".join(h.chunk.text for h in real_brain.search("budget total de la stratégie", k=8, lang="fr"))
    assert re.search(r"650", texts) and re.search(r"718[,.]4", texts)
    assert re.search(r"2021", texts) and re.search(r"2022", texts)


def test_answer_in_question_language(real_brain: Brain) -> None:
    """A French question is answered in French with a citation; an English one in English."""
    fr = real_brain.ask("Combien de tiers-lieux d'expérimentation sont prévus ?")
    assert fr["lang"] == "fr" and fr["citations"] and re.search(r"\b30\b|trentaine", fr["answer"])
    en = real_brain.ask("How many experimentation sites are planned by 2025?")
    assert en["lang"] == "en" and en["citations"] and "2025" in en["answer"]


def test_a_question_without_its_subject_after_cards_is_about_them(real_brain: Brain) -> None:
    """"c'est quoi le lien pour déposer ?" alone matches a fiche on filing a PECAN application; right after
    the innovation-aid card it is about that card: a fiche of that lever or of a step named on it answers."""
    question = "c'est quoi le lien pour déposer ?"
    alone = real_brain.ask(question)
    shown = {"bpifrance-innovation", *(tp.id for tp in real_brain.catalogue.topics("bpifrance-innovation"))}
    after = real_brain.ask(question, context=["bpifrance-innovation"])
    assert alone["fiche"] and not shown & set(real_brain.catalogue.fiche(alone["fiche"]).levers)
    assert after["found"] and shown & set(real_brain.catalogue.fiche(after["fiche"]).levers)


def test_a_question_asking_for_a_class_is_answered_with_one(real_brain: Brain) -> None:
    """A product described first, the question last ("what class is that likely to be?"): the fiche whose first
    sentence names a risk class answers, not one on another product that names a class further on."""
    res = real_brain.ask(
        "Our app flags suspicious moles from a photo and tells the user to see a dermatologist. "
        "Under MDR what class is that likely to be?"
    )
    assert res["found"] and re.search(r"\bIIa\b", res["answer"].split(". ")[0])


def test_the_fiches_own_subject_does_not_reorder_its_statements(real_brain: Brain) -> None:
    """"PECAN pour une appli DTx … paye combien par patient ?": PECAN and DTx are what the fiche is about, so the
    statement naming them (on VAT) does not lead; the amount per patient does."""
    res = real_brain.ask("PECAN pour une appli DTx, l'assurance maladie paye combien par patient ?")
    assert res["found"] and re.search(r"\b435\b", res["answer"].split(". ")[0])


def test_a_message_asking_two_things_gets_both_answers(real_brain: Brain) -> None:
    """"combien max ? et la boîte doit avoir moins de combien d'années ?": the first question's own fiche leads
    (the second's words no longer pull the match towards a fiche listing every aid), and the kind of answer the
    second asks (a span of time) comes from the fiche holding it."""
    res = real_brain.ask(
        "concours i-lab on peut toucher combien max ? et faut que la boite ait moins de combien d'annees ?"
    )
    assert res["found"] and re.search(r"600 000", res["answer"].split(". ")[0])
    assert re.search(r"\bdeux ans\b", res["answer"])
    assert len(re.sub(r"\s*\[\d+\]", "", res["answer"]).split()) <= 130  # the status line comes on top


def test_two_questions_joined_by_and_get_both_answers(real_brain: Brain) -> None:
    """"c'est quoi le PECAN et combien ça rapporte par patient ?": what it is first, then the amount per patient
    (not the strategy's envelope that the fiche on what PECAN is mentions); two subjects ("HDS et RGPD") get
    each their fiche."""
    for question in ("c'est quoi le PECAN et combien ca rapporte par patient ?",
                     "What is PECAN and how much does it pay per patient?"):
        res = real_brain.ask(question)
        assert res["found"] and re.search(r"d[ée]rogatoire|exceptional", res["answer"].split(". ")[0])
        assert re.search(r"\b435\b", res["answer"]) and "718" not in res["answer"]
    res = real_brain.ask("Est-ce que je dois etre hebergé HDS et est-ce que le RGPD s'applique a mon appli ?")
    assert res["found"] and "HDS" in res["answer"] and re.search(r"article 9 du RGPD", res["answer"])


def test_two_schemes_compared_get_each_its_answer(real_brain: Brain) -> None:
    """"forfait innovation ou PECAN ?" says what each one is; a fiche about both (PECAN vs DiGA) answers alone; a
    fiche that already speaks of both ("la HAS ou l'ANSM") keeps answering."""
    res = real_brain.ask("forfait innovation ou pecan pour notre DMN ?? c quoi la difference concretement")
    assert res["found"] and re.search(r"forfait innovation", res["answer"]) and re.search(r"PECAN", res["answer"])
    assert re.search(r"[ée]tude clinique", res["answer"])
    res = real_brain.ask("Compare DiGA provisional listing in Germany vs PECAN in France: how long does each last?")
    assert res["fiche"] == "access-pecan-vs-diga"
    res = real_brain.ask("Pour le remboursement d'un DM, c'est la HAS ou l'ANSM qui évalue ?")
    assert re.search(r"CNEDiMTS", res["answer"]) and re.search(r"ANSM", res["answer"])


def test_chat_shorthand_is_read_as_the_words_it_stands_for(real_brain: Brain) -> None:
    res = real_brain.ask("bourse french tech c combien max et faut que la boite ait moins de cmb d'anciennete ?")
    assert res["found"] and re.search(r"30 000", res["answer"].split(". ")[0])
    assert re.search(r"moins d.un an|deux ans", res["answer"])


def test_a_question_naming_nothing_after_an_answer_is_about_what_was_shown(real_brain: Brain) -> None:
    """"et ça prend combien de temps ?" after Bpifrance's aids: no fiche of theirs says it, so it is not known,
    rather than the delay of an unrelated procedure (the ANS certificate)."""
    res = real_brain.ask("et ça prend combien de temps ?", context=["bpifrance-innovation"])
    assert not res["found"] and "six mois" not in res["answer"].lower()
    res = real_brain.ask("ok et la bourse french tech c'est combien ?")
    assert re.search(r"30 000", res["answer"].split(". ")[0])


def test_what_the_founder_builds_does_not_decide_the_fiche(real_brain: Brain) -> None:
    """"On développe une appli de méditation, c'est un DM ?" is the wellness-app question, not the mental-health
    call whose fiche says "develop"."""
    res = real_brain.ask("On développe une appli de méditation, c'est un dispositif médical ?")
    assert res["found"] and re.search(r"finalit[ée] m[ée]dicale", res["answer"].split(". ")[0])


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("quelles donnees vous gardez sur moi ?", r"conserve cette conversation"),
        ("qui a accès à cette conversation ?", r"l'équipe du guichet peut les lire"),
        ("pouvez vous m'oublier / supprimer mes données ?", r"peut l'effacer en entier"),
        ("What data do you keep about me?", r"keeps this conversation"),
        ("Please forget me", r"can erase all of it"),
    ],
)
def test_questions_about_what_guichet_keeps_get_what_it_does(real_brain: Brain, question: str, said: str) -> None:
    """A founder asking what is kept of them, who reads it or to be forgotten gets what the service does (and the
    retention period it is configured with), not a knowledge-base fact about health-data hosting."""
    res = real_brain.ask(question)
    assert res["found"] and res["fiche"] is None and re.search(said, res["answer"])
    assert str(real_brain.retention_days) in res["answer"] or "qui a accès" in question


def test_a_founders_question_on_their_products_data_stays_a_knowledge_question(real_brain: Brain) -> None:
    res = real_brain.ask("nos données de santé doivent être hébergées où ?")
    assert res["fiche"] and res["fiche"].startswith("reg-hds")


def test_follow_up_questions_after_cards(real_brain: Brain) -> None:
    """"C'est encore ouvert ?" after cards says where each lever shown stands, cited; "pourquoi ?" and "je suis
    éligible ?" are marked for the bot (the profile answers them); none of it without cards, nor for a question
    naming its subject."""
    shown = ["tiers-lieux", "bourse-french-tech"]
    status = real_brain.ask("c'est encore ouvert ?", "fr", context=shown)
    assert status["follow_up"] == "status" and status["found"] and status["citations"]
    assert "clos" in status["answer"] and "Bourse French Tech" in status["answer"]
    why = real_brain.ask("pourquoi vous me recommandez ça ?", "fr", context=shown)
    assert (why["follow_up"], why["levers"]) == ("why", shown)
    assert real_brain.ask("am I eligible?", "en", context=shown)["follow_up"] == "eligible"
    assert "follow_up" not in real_brain.ask("pourquoi ?", "fr")
    assert "follow_up" not in real_brain.ask("la bourse french tech est encore ouverte ?", "fr", context=shown)
    assert real_brain.ask("quel est mon projet ?", "fr")["follow_up"] == "project"


def test_a_card_says_where_its_lever_stands_when_it_must(real_brain: Brain) -> None:
    """A closed call, a proposal or a note is said on the card; a scheme in force goes without saying."""
    cards = {lv["id"]: lv for lv in real_brain.route(
        "startup, appli de suivi post-op, prototype, besoin tester en conditions reelles", lang="fr")["levers"]}
    assert cards["tiers-lieux"]["status"]["told"] and "clos" in cards["tiers-lieux"]["status"]["text"]
    regulation = real_brain.route("notre appli est-elle un dispositif médical ? besoin réglementaire", lang="fr")
    running = [lv for lv in regulation["levers"] if lv["status"]["value"] in {"in-force", "recurring"}]
    assert running and not any(lv["status"]["told"] for lv in running if lv["id"] != "tiers-lieux")


@pytest.mark.parametrize(
    ("question", "lever"),
    [
        ("je suis éligible à la PECAN ?", "pecan"),
        ("on vise le PECAN, on est éligible ?", "pecan"),
        ("are we eligible for i-Nov?", "i-nov"),
        ("on est éligible à la bourse french tech ?", "bourse-french-tech"),
    ],
)
def test_eligibility_to_a_named_lever_is_marked_for_the_profile(real_brain: Brain, question: str, lever: str) -> None:
    """Whether the founder is eligible to a lever the question names depends on their profile, which the bot holds:
    the answer (the conditions) is marked `eligible` with that lever; a longer message stays a knowledge question."""
    reply = real_brain.ask(question)
    assert reply["follow_up"] == "eligible" and reply["levers"] == [lever] and reply["found"]
    long = ("Notre appli de télésurveillance du diabète gestationnel pas encore marquée CE est-elle éligible à la "
            "PECAN ?")
    assert real_brain.ask(long).get("follow_up") is None


def test_route_gives_the_levers_asked_about_with_their_verdicts(real_brain: Brain) -> None:
    """A lever asked about comes with its criteria's verdicts, recommended or not ("pas encore CE": not met)."""
    routed = real_brain.route("startup, télésurveillance du diabète, en pilote, pas encore CE", about=["pecan"])
    (asked,) = routed["asked"]
    assert asked["id"] == "pecan" and asked["recommended"] is False
    assert {c["slot"]: c["verdict"] for c in asked["criteria"]}["ce_marked"] == "not_met"
    assert real_brain.route("startup, télésurveillance du diabète")["asked"] == []


def test_a_fiche_made_for_one_kind_of_question_does_not_answer_another(real_brain: Brain) -> None:
    """A fiche whose phrasings ask how many (apps listed in the catalogue) answered "how do we get listed?" (blind9's
    b910): asked another kind of answer, such a fiche steps back; asked its own kind, it answers."""
    terms = real_brain.terms("fr")
    assert terms["reg-mes-catalogue-how-many-apps"].kinds == {"count"}
    how = real_brain.ask("Comment on fait pour faire référencer notre appli dans le catalogue de Mon espace santé ?")
    assert how["fiche"] != "reg-mes-catalogue-how-many-apps"
    many = real_brain.ask("Combien d'applications sont référencées au catalogue de Mon espace santé ?")
    assert many["fiche"] == "reg-mes-catalogue-how-many-apps"


def test_the_first_step_and_the_amounts_after_cards_come_from_the_levers_shown(real_brain: Brain) -> None:
    """tester10's t1017 and t1018: "et c'est combien ?" and "c'est quoi la 1ère étape concrètement ?" after cards got
    "I don't know". Each lever's first next step as its card says it; the amounts a project can get, dated and
    cited, a national envelope named as such."""
    step = real_brain.ask("et pr nous c'est quoi la 1ere etape concrètement ?", context=["tiers-lieux"])
    assert step["follow_up"] == "step" and step["answer"].startswith("Tiers-lieux d'expérimentation")
    amount = real_brain.ask("et c'est combien ?", context=["bpifrance-innovation"])
    assert amount["follow_up"] == "amount" and "30 000 €" in amount["answer"] and amount["citations"]
    envelope = real_brain.ask("how much can we get?", context=["tiers-lieux"])
    assert "(national envelope)" in envelope["answer"]
    assert real_brain.ask("c'est quoi la première étape ?").get("follow_up") is None  # nothing shown


def test_a_year_ahead_is_answered_when_the_knowledge_sets_that_date(real_brain: Brain) -> None:
    """blind10's b1012 got "I don't know" for "can we keep selling until end of 2028?": a year still ahead is a date
    set in advance when the fiche answering says it; what no record says of that year stays unknown."""
    legacy = real_brain.ask("our legacy MDD class IIa device - is it true we can keep selling it until end of 2028?")
    assert legacy["fiche"] == "reg-mdr-transition-deadlines" and "31 December 2028" in legacy["answer"]
    ai_act = real_brain.ask("AI Act: do the high-risk rules apply to our AI device in August 2028?")
    assert ai_act["found"] and "2 August 2028" in ai_act["answer"]
    assert not real_brain.ask("Est-ce que la LFSS 2028 va allonger la PECAN à deux ans ?")["found"]
    assert not real_brain.ask("Combien paiera PECAN en 2028 ?")["found"]


def test_a_span_of_time_tells_two_records_on_one_subject_apart(real_brain: Brain) -> None:
    """answers-dev a09: "un an après le lancement" got the two-year review ("deux ans après…" reads alike stemmed)."""
    one = real_brain.ask("Combien de projets ont été financés un an après le lancement ?")
    assert one["fiche"] == "fund-strategy-first-year" and one["answer"].startswith("61 projets")
    two = real_brain.ask("Deux ans après le lancement, combien de projets financés ?")
    assert two["fiche"] == "fund-strategy-two-years"


def test_a_company_the_fiche_never_names_is_not_answered_about_in_general(real_brain: Brain) -> None:
    """blind4's b436 and blind7's b729: asked about one company, a fiche on notified bodies or on the operator's fee
    in general answered; which body certified that company, what it charged, the knowledge does not say."""
    for question in (
        "Which notified body certified Moovcare's CE marking, and how many months did their review take?",
        "What did Withings charge per patient per month to hospitals in its latest remote monitoring contract?",
    ):
        reply = real_brain.ask(question)
        assert not reply["found"] and "advisor" in reply["answer"], question
    gmed = real_brain.ask("combien facture GMED pour un audit MDR ?")  # a name the fiche says: answered
    assert gmed["found"] and "GMED" in gmed["answer"]


def test_a_fiche_answering_in_part_offers_an_advisor_and_an_opposite_yes_is_not_said(real_brain: Brain) -> None:
    """blind6's b639 (no official rate of favourable opinions) and blind10's b1006 ("doit-on stocker en Europe ?"
    answered "Non pour le stockage : … stockées dans l'UE")."""
    rate = real_brain.ask("quelle proba qu'on ait un avis favorable de la HAS pour notre dossier de télésurveillance ?")
    assert rate["fiche"] == "access-has-opinion-success-rate" and "conseiller du guichet" in rate["answer"]
    europe = real_brain.ask("notre hébergeur HDS doit-il obligatoirement stocker les données en Europe ?")
    assert europe["fiche"] == "reg-hds-data-outside-eea" and not europe["answer"].startswith("Non")


def test_a_later_question_without_its_subject_keeps_the_messages(real_brain: Brain) -> None:
    """blind10's b1014: the second question ("faut-il déjà avoir le marquage CE pour déposer le dossier ?") got the
    SESAME filing portal only; read with the message's subject (forfait innovation) it gets whether CE marking
    comes first, without the fiche's "Oui", which answered "can one file before CE marking?"."""
    reply = real_brain.ask(
        "forfait innovation : c'est qui qui décide, et faut il déjà avoir le marquage CE pour déposer le dossier ?"
    )
    assert reply["answer"].startswith("La HAS juge") and "avant le marquage CE" in reply["answer"]
    assert "Oui :" not in reply["answer"]


def test_names_in_the_founders_story_do_not_decide_the_fiche(real_brain: Brain) -> None:
    """blind8's b820: "we have an AI triage SaMD, class IIa under MDR. when do the AI Act high-risk obligations
    apply?" got the high-risk FAQ, the dates fiche losing for not saying "SaMD" and "MDR" in its phrasings; those
    names tell what the product is, the question asks about the AI Act's dates."""
    reply = real_brain.ask(
        "we have an AI triage SaMD, class IIa under MDR. when do the AI Act high-risk obligations actually apply to"
        " us? heard different dates"
    )
    assert reply["fiche"] == "reg-ai-act-medical-devices-dates" and "2028" in reply["answer"].split(".")[0]


def test_a_count_asked_second_is_answered_once(real_brain: Brain) -> None:
    """blind8's b818: "c quoi le budget et cmb de lieux prevus ?" of the tiers-lieux: 63 M€, then the 30 tiers-lieux
    planned ("30 tiers-lieux" counts "lieux"), the budget not said twice."""
    reply = real_brain.ask("les tiers-lieux d'experimentation france 2030 c quoi le budget et cmb de lieux prevus ?")
    assert "63 M€" in reply["answer"] and "30 tiers-lieux" in reply["answer"]
    assert reply["answer"].count("63 M€") == 1


def test_a_sum_asked_au_total_goes_to_the_fiche_holding_it(real_brain: Brain) -> None:
    """blind11's b1123: "au total" asks an amount, so the Ségur numérique's own 2 Md€ answers, not the strategy's
    650 M€ (whose fiche says "au total" but not "Ségur")."""
    reply = real_brain.ask("le Segur du numerique c'etait combien d'argent au total pour le numerique en sante ?")
    assert reply["fiche"] == "reg-segur-numerique" and "2 milliards" in reply["answer"].split(". ")[0]


def test_the_first_of_two_joined_questions_leads_when_one_fiche_answers_both(real_brain: Brain) -> None:
    """blind5's b524: "…dure combien de temps au maximum et on envoie le dossier à qui ?": two questions, the second's
    asking word last; the fiche answering the message answers both, its duration first."""
    question = "article 51, une expérimentation dure combien de temps au maximum et on envoie le dossier à qui ?"
    reply = real_brain.ask(question)
    assert re.search(r"cinq ans", reply["answer"].split(". ")[0], re.I) and "ARS" in reply["answer"]


def test_a_rule_in_force_asked_of_the_present_month_is_answered_and_us_is_a_country(real_brain: Brain) -> None:
    """blind7's b712: "toujours … en décembre 2026 ?" asked in December 2026 is asked of now: the HDS referential in
    force answers (with its date), as "toujours ok maintenant ?" would; blind6's b629: storage "aux US" is what the
    fiche on data outside the EEA answers, and its no stays (the question names no other place than its phrasing's
    "hors de l'UE")."""
    today = dt.date(2026, 12, 7)
    question = "le nouveau referentiel HDS de 2024, il s'applique toujours en decembre 2026 ?"
    reply = real_brain.ask(question, today=today)
    assert reply["fiche"] == "reg-hds-new-referential-2024" and "mai 2026" in reply["answer"]
    later = real_brain.ask(question.replace("decembre 2026", "mars 2027"), today=today)
    assert not later["found"]  # a month ahead is not the present
    reply = real_brain.ask("notre hebergeur HDS propose de stocker les backups aux US, c'est ok ?", today=today)
    assert reply["fiche"] == "reg-hds-data-outside-eea" and reply["answer"].startswith("Non")


def test_asked_where_a_call_stands_its_status_leads(real_brain: Brain) -> None:
    """"Still open, or closed?" of a call: the fiche's dated status is the answer's first sentence, in the question's
    language, whatever the fiche's own first sentence; the answer ends telling to check the dates (the status was
    known on a date)."""
    en = real_brain.ask("is the clinical evaluation call still open, or is it closed?")
    assert en["fiche"] == "fund-dmn-evaluation-call" and en["answer"].startswith("Status: "), en["answer"]
    assert en["answer"].endswith("check the dates with the body that runs the scheme.")
    fr = real_brain.ask("l'appel évaluation clinique de Bpifrance, c'est encore ouvert ?")
    assert fr["answer"].startswith("Statut : "), fr["answer"]
    plain = real_brain.ask("Combien Bpifrance a-t-elle mis dans l'appel évaluation des DMN ?")
    assert not plain["answer"].startswith("Statut"), plain["answer"]


def test_a_question_naming_nothing_is_read_with_the_last_answers_subject(real_brain: Brain) -> None:
    """tester9's t923 and t921: "et quelle classe ?" after "c'est un dispositif médical ?" got post-market
    surveillance by class; "c encore ouvert ?" after i-Nov got the status of Bpifrance's aids. Read with the subject
    of the fiche the last answer came from (`topic`), the class rule answers, i-Nov's own status is said, and "qui
    décide ?" after the forfait innovation is no longer about article 51. A fiche matching only loosely does not
    answer: "et ça prend combien de temps ?" after i-Lab is not known, and said so with what it was about."""
    dm = real_brain.ask("notre logiciel aide au diagnostic du mélanome sur photo, c'est un dispositif médical ?")
    cls = real_brain.ask("et quelle classe ?", context=dm["levers"], topic=dm["fiche"])
    assert re.search(r"\bIIa\b", cls["answer"].split(". ")[0]) and "11" in cls["answer"]
    assert real_brain.ask("et quelle classe ?")["fiche"] != cls["fiche"]  # alone, it is read otherwise
    status = real_brain.ask("c encore ouvert ?", context=["bpifrance-innovation"], topic="fund-i-nov")
    assert status["answer"].startswith("i-Nov : ") and status["follow_up"] == "status"
    who = real_brain.ask("et qui décide ?", topic="access-forfait-innovation-what")
    assert "HAS" in who["answer"] and "article 51" not in who["answer"].lower()
    how_long = real_brain.ask("et ça prend combien de temps ?", topic="fund-i-lab")
    assert not how_long["found"] and "i-Lab" in how_long["answer"]


def test_a_numbered_article_the_fiche_never_says_is_another_one(real_brain: Brain) -> None:
    """"article 51 c'est quoi exactement ? …financer un parcours de télésuivi" matched the ETAPES fiche once it
    named articles 36 and 54 of other laws: a fiche never saying the number asked ("51", "MR-004") is about another
    text."""
    res = real_brain.ask("article 51 c'est quoi exactement ? on m'en a parlé pour financer un parcours de télésuivi")
    assert res["found"] and res["fiche"] != "access-telemonitoring-etapes" and "51" in res["answer"]


@pytest.mark.parametrize("question", ["attends, c'est quoi la PECAN ?", "wait, what is PECAN?"])
def test_an_interjection_does_not_steer_the_fiche(real_brain: Brain, question: str) -> None:
    """"attends, c'est quoi la PECAN ?" typed in the middle of the form matched the fiche on PECAN's evidence ("ce
    qu'on attend"): an interjection says nothing of what is asked."""
    assert real_brain.ask(question)["fiche"] == "access-pecan-what"


@pytest.mark.parametrize(
    "question",
    [
        "On est en PECAN pour notre DTx : on a combien de temps pour déposer le dossier de droit commun ?",
        "We're in PECAN with our DTx: how long do we have to file the ordinary reimbursement application?",
    ],
)
def test_another_phrasing_of_the_fiche_gets_the_statement_answering_it(real_brain: Brain, question: str) -> None:
    """The fiche on how long PECAN lasts also answers how long one has to file for ordinary coverage: matched by
    that phrasing, the statement on the 6 months leads, not the fiche's "one year"."""
    res = real_brain.ask(question)
    assert res["fiche"] == "access-pecan-duration"
    assert re.search(r"\b6\b", res["answer"].split(". ")[0])


def test_how_much_with_nothing_shown_is_asked_back_not_refused(real_brain: Brain) -> None:
    """The tester's t07: "et combien ?" in the middle of the profile questions, no lever shown and no subject yet,
    was refused as off-topic; it is in scope and asks which scheme is meant. With a lever shown, its amounts."""
    for question in ("et combien ?", "how much?"):
        alone = real_brain.ask(question)
        assert alone["in_scope"] and not alone["found"] and re.search(r"Nommez-le|Name it", alone["answer"])
    shown = real_brain.ask("et combien ?", context=["tiers-lieux"])
    assert shown["found"] and "€" in shown["answer"]
