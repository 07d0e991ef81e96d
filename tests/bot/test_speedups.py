"""bot/speedups.py against Rasa itself: the trained model parses every kind of message as Rasa's own graph
does, and the prebuilt validator accepts and refuses the same action-server answers with the same message."""

from __future__ import annotations

import importlib.util
import json
import subprocess

import pytest

from .conftest import MODEL, RASA_VENV, ROOT


def _speedups():
    """bot/speedups.py, which imports Rasa only inside its functions (so here, without Rasa)."""
    spec = importlib.util.spec_from_file_location("speedups_unit", ROOT / "bot" / "speedups.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_another_rasa_is_refused_with_a_warning(caplog) -> None:
    """Patches of Rasa's internals are applied only to the Rasa they were checked against, which is the pinned one."""
    speedups = _speedups()
    assert f"rasa=={speedups.RASA_VERSION}\n" in (ROOT / "bot" / "requirements.txt").read_text(encoding="utf-8")
    with caplog.at_level("WARNING"):
        assert speedups.apply(True, rasa_version="3.7.0") is False
    assert "speedups NOT applied: written and checked for Rasa 3.6.21, this is Rasa 3.7.0" in caplog.text
    assert speedups.apply(False) is False


TEXTS = [
    # button payloads the bot sends (valid: the shortcut answers them)
    '/inform{"stage": "prototype"}',
    '/inform{"needs": ["funding", "clinical_evidence"]}',
    '/inform{"medical_device": "true"}',
    "/affirm",
    "/deny",
    '/ask_about_lever{"lever": "bpifrance_innovation"}',
    "  /greet  ",
    "/request_advisor",
    # not valid payloads: the graph decides, as before
    "/no_such_intent",
    "/inform{not json",
    "/",
    "/ inform",
    # free text in both languages
    "Bonjour, nous avons un prototype et cherchons un financement",
    "We need hospital data to validate our AI model",
    "non, on a déjà le marquage CE",
]  # no empty text: Rasa's classifier fails on it, and the REST channel refuses it first (channels/rest.py)


@pytest.mark.slow
def test_speedups_change_no_result(tmp_path):
    if not (RASA_VENV / "bin" / "python").exists() or not MODEL.exists():
        pytest.skip("the dialogue server is not set up: run `make test` (it builds .venv-rasa and the model)")
    texts = tmp_path / "texts.json"
    texts.write_text(json.dumps(TEXTS), encoding="utf-8")
    run = subprocess.run(
        [str(RASA_VENV / "bin" / "python"), str(ROOT / "tests" / "bot" / "rasa_side" / "speedups_check.py"),
         str(MODEL), str(texts)],
        capture_output=True, text=True, timeout=300, cwd=ROOT / "bot",
    )
    line = next((x for x in run.stdout.splitlines() if x.startswith("REPORT ")), None)
    assert line, run.stdout[-2000:] + run.stderr[-3000:]
    report = json.loads(line.removeprefix("REPORT "))
    assert report["parsed"] == len(TEXTS)
    # off, or another Rasa: nothing patched; on: the tracker store Rasa builds at start applies them all
    assert report["switch"] == {"off": True, "other_version": True, "refused": True, "applied_by_store": True}
    assert report["differ"] == []
    assert report["patched_validator"]
    assert report["patched_resolve"] and report["event_types"] > 20
    assert report["resolve_differ"] == []
    assert report["frozen"]["before"] == 0 and report["frozen"]["after"] > 100_000  # the model's objects
    assert report["reloaded_differ"] == []  # the model loaded again (then frozen) parses as before
    assert report["slot_copy"]["patched"] and report["slot_copy"]["slots"] > 10
    assert report["slot_copy"]["same"]  # type, attributes, a new object sharing its mappings, as copy.copy
    connections = report["connections"]
    assert connections["patched"]["answers"] == connections["original"]["answers"]
    assert connections["original"]["answers"][3] == {"echo": {"n": 3}, "auth": "t"}
    assert connections["original"]["connections"] == 4  # Rasa: a new connection for each call
    assert connections["patched"]["connections"] == 1  # kept
    verdicts = report["validation"]
    assert report["quick_validator"]
    for name in ("valid", "a whole form step"):
        assert verdicts[name]["original"] == verdicts[name]["patched"] == ["ok", True], name
    refused = ("events not a list", "event without a name", "unknown event type", "timestamp not a number",
               "entity without a value", "event not an object", "slot name not a string", "answer not an object")
    assert set(verdicts) == {"valid", "a whole form step", *refused}
    for name in refused:
        assert verdicts[name]["original"][0] == "refused", name
        assert verdicts[name]["patched"] == verdicts[name]["original"], name
