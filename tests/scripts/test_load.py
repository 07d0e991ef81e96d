"""The load generator's founder behaviour and its latency report (scripts/load.py)."""

from __future__ import annotations

import os
import random
import time

import pytest

from scripts.load import CpuMeter, Tally, next_message
from scripts.stack import cpu_seconds


def _reply(*payloads: str) -> list[dict]:
    return [{"text": "…", "buttons": [{"title": p, "payload": p} for p in payloads]}]


def test_founder_confirms_then_answers_then_stops() -> None:
    """A confirmation is affirmed, a question is answered by one of its buttons, a bare reply ends the talk."""
    rng = random.Random(1)
    assert next_message(_reply("/affirm", "/deny"), 2, rng) == "/affirm"
    answer = next_message(_reply('/inform{"stage":"idea"}', '/inform{"stage":"prototype"}'), 1, rng)
    assert answer in ('/inform{"stage":"idea"}', '/inform{"stage":"prototype"}')
    assert next_message([{"text": "Bonjour"}], 1, rng) is None


def test_founder_asks_about_a_lever_only_early_in_the_talk() -> None:
    """Lever cards lead to a question or a lever's details before the eighth turn, and to the end after it."""
    cards = _reply('/ask_about_lever{"lever":"gnius"}', "/request_advisor")
    assert next_message(cards, 3, random.Random(2)) is not None
    assert next_message(cards, 8, random.Random(2)) is None


def test_report_quantiles_rate_and_errors() -> None:
    """Quantiles come from the sorted latencies, the rate from the count over the run's seconds."""
    tally = Tally(latencies=[i / 1000 for i in range(1, 101)])
    tally.error("HTTP 500")
    tally.error("HTTP 500")
    report = tally.report(10.0)
    assert report["count"] == 100 and report["per_s"] == 10.0
    assert (report["p50_ms"], report["p95_ms"], report["p99_ms"]) == (51.0, 96.0, 100.0)
    assert report["errors"] == 2 and report["error_kinds"] == {"HTTP 500": 2}
    assert Tally().report(1.0)["p95_ms"] is None


def test_profile_summary_counts_inclusive_samples(tmp_path) -> None:
    """Each function's share counts the samples of every stack it is on, once per stack."""
    from scripts.load import summarise_profile

    raw = tmp_path / "rasa.txt"
    raw.write_text(
        "main (a.py:1);predict (p.py:2);dense (p.py:3) 6\n"
        "main (a.py:1);save (t.py:4) 3\n"
        "main (a.py:1);predict (p.py:2);predict (p.py:2) 1\n",
        encoding="utf-8",
    )
    summary = summarise_profile(raw)
    assert summary["samples"] == 10
    assert summary["top"][:3] == [("predict", 70.0), ("dense", 60.0), ("save", 30.0)]  # main is on every stack


def test_cpu_seconds_counts_this_process_and_grows_with_work():
    """cpu_seconds reads user + system time from /proc; busy work shows up, a gone process gives None."""
    before = cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    after = cpu_seconds(os.getpid())
    assert before is not None and after is not None and after - before >= 0.2
    assert cpu_seconds(2**22 + 12345) is None  # above the kernel's pid range: no such process


def test_cpu_meter_reports_per_operation():
    """The meter gives each process's CPU for the run and per operation, the load generator included."""
    meter = CpuMeter({"self": os.getpid()})
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:
        pass
    report = meter.report(10)
    assert set(report["processes"]) == {"self", "load generator"}
    assert report["processes"]["self"]["cpu_s"] >= 0.15
    own = report["processes"]["self"]
    assert own["cpu_ms_per_op"] == pytest.approx(100 * own["cpu_s"], abs=0.2)
    assert report["all_cpu_ms_per_op"] >= report["processes"]["self"]["cpu_ms_per_op"]


def test_tally_quantiles_by_kind_of_turn():
    """Latencies are summarised in all and by kind; an empty tally gives None, not an error."""
    tally = Tally()
    for ms in range(1, 101):
        tally.add(ms / 1000, "button" if ms % 2 else "typed")
    report = tally.report(10.0)
    assert (report["count"], report["p50_ms"], report["p95_ms"], report["per_s"]) == (100, 51.0, 96.0, 10.0)
    assert report["by_kind"]["button"]["count"] == report["by_kind"]["typed"]["count"] == 50
    assert Tally().report(1.0)["p95_ms"] is None


def test_windows_slice_the_run_by_when_turns_ended() -> None:
    """Each latency falls in the slice of the run in which its turn ended; quantiles per slice."""
    tally = Tally()
    for at, ms in [(0.5, 100), (3.0, 300), (9.9, 200), (10.0, 50), (25.0, 900)]:
        tally.latencies.append(ms / 1000)
        tally.ended_at.append(at)
    windows = tally.report(30.0)["windows"]
    assert [(w["from_s"], w["count"], w["p50_ms"], w["p99_ms"]) for w in windows] == [
        (0.0, 3, 200.0, 300.0), (10.0, 1, 50.0, 50.0), (20.0, 1, 900.0, 900.0)]
    assert Tally(latencies=[0.1]).windows() == []  # no moments recorded: no slices
