"""Run in .venv-rasa (tests/bot/test_qualification_actions.py): the profile and qualification actions
(bot/actions/qualification.py, recommendation.py) on tracker fixtures, with a fake API (action_fixtures.py):
a description read, the form's questions, the profile said back, the levers, the roadmap, a fresh start.
One JSON report for the cases named (all when none is)."""

from __future__ import annotations

import sys
from typing import Any

from action_fixtures import FakeClient, report, tracker

FORM = "qualification_form"
KNOWN = {"stage": "prototype", "organisation_type": "startup", "product_kind": "software",
         "needs": ["funding-innovation"], "project_text": "Une appli logicielle pour les soignants"}
DESCRIPTION = "Nous sommes une start-up avec un prototype de logiciel médical et cherchons à financer son développement"
READ = {"stage": "prototype", "organisation_type": "startup", "product_kind": "software", "medical_device": True,
        "needs": ["funding-innovation"]}
FIVE = [{"id": f"lever-{n}", "name": f"Levier {n}", "reasons": [f"raison {n}"], "criteria": [],
         "next_steps": [f"étape {n}"], "sources": [f"https://example.org/{n}"]} for n in range(1, 6)]
OFF_TOPIC = {"answer": "Je ne traite que l'innovation en santé.", "in_scope": False}


def in_form(text: str, intent: str, slot: str, slots: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """The founder's message while the form asks `slot`."""
    return tracker(text, intent, {"requested_slot": slot, **(slots or {})}, loop=FORM, **kwargs)


def cases() -> dict[str, tuple]:
    from actions.qualification import ActionPrefillProfile, ValidateQualificationForm
    from actions.recommendation import ActionConfirmProfile, ActionRecommend, ActionResetProfile, ActionRoadmap

    prefill, form, confirm = ActionPrefillProfile(), ValidateQualificationForm(), ActionConfirmProfile()
    return {
        # a message read outside the form
        "first_description": (prefill, FakeClient(read=READ, to_ask=["medical_device", "ai", "stage", "product_kind"]),
                              tracker(DESCRIPTION, "describe_project", {"privacy_said": False})),
        "detail_added": (prefill, FakeClient(read={"ai": True}, to_ask=["product_kind"]),
                         tracker("on utilise de l'IA", "inform", KNOWN)),
        "meaning_chosen": (prefill, FakeClient(read={"product_kind": "software"}),
                           tracker("/describe_project", "describe_project", events=[
                               {"event": "user", "text": "on fait une appli pour les diabétiques"}])),
        "off_topic_first": (prefill, FakeClient(in_scope=False, ask=OFF_TOPIC),
                            tracker("je cherche un appartement à Lyon", "describe_project")),
        "prefill_api_down": (prefill, FakeClient(down=True), tracker(DESCRIPTION, "describe_project")),
        # the form's questions
        "need_dont_know": (form, FakeClient(to_ask=["stage", "ai", "product_kind", "organisation_type"]),
                           in_form("je ne sais pas", "dont_know", "needs")),
        "need_button": (form, FakeClient(to_ask=["organisation_type"]),
                        in_form('/inform{"needs":["funding-innovation","no-such-need"]}', "inform", "needs",
                                candidates={"needs": ["funding-innovation", "no-such-need"]})),
        "bad_button": (form, FakeClient(), in_form('/inform{"stage":"banana"}', "inform", "stage",
                                                   {"needs": ["training"], "to_ask": ["stage"]},
                                                   events=[{"event": "slot", "name": "stage", "value": "idea"}],
                                                   candidates={"stage": "banana"})),
        "medical_device_yes": (form, FakeClient(), in_form("oui", "affirm", "medical_device",
                                                           {**KNOWN, "to_ask": ["medical_device"]})),
        "form_api_down": (form, FakeClient(down=True), in_form("on a un prototype", "describe_project", "stage",
                                                               {"needs": ["training"], "to_ask": ["stage"]})),
        # the profile said back, the levers, the roadmap, a fresh start
        "confirm_first": (confirm, FakeClient(), tracker("oui", "affirm", KNOWN)),
        "confirm_again_after_levers": (confirm, FakeClient(levers=FIVE),
                                       tracker("on est à l'hôpital", "inform", {**KNOWN, "profile_confirmed": True})),
        "confirm_api_down": (confirm, FakeClient(down=True), tracker("oui", "affirm", KNOWN)),
        "recommend_top": (ActionRecommend(), FakeClient(levers=FIVE),
                          tracker("oui", "affirm", {**KNOWN, "privacy_said": False})),
        "recommend_nothing": (ActionRecommend(), FakeClient(levers=[]), tracker("oui", "affirm", KNOWN)),
        "roadmap": (ActionRoadmap(), FakeClient(levers=FIVE), tracker("/request_roadmap", "request_roadmap", KNOWN)),
        "reset": (ActionResetProfile(), FakeClient(), tracker("on recommence", "restart", {**KNOWN, "ai": "true"})),
    }


if __name__ == "__main__":
    report(cases(), sys.argv[1:])
