"""Load generator: concurrent founders talking to Rasa's REST channel, or staff-free calls to the API.

Usage (servers already running, e.g. `make run`; or `--start` to start a private stack, see scripts/stack.py):
  .venv/bin/python -m scripts.load rasa --url http://127.0.0.1:5005 --conversations 50 --pause 2 --duration 60
  .venv/bin/python -m scripts.load rasa --start embedded --conversations 50 --pause 2 --duration 60
  .venv/bin/python -m scripts.load saturate --start production --rasa-instances 2 --steps 1,2,4,8,16,32
  .venv/bin/python -m scripts.load api --start embedded --concurrency 8 --duration 20
Each founder plays a whole conversation (first message, the qualification questions answered through the
buttons, the confirmation, the lever cards, a free question, a lever's details), then starts another, until
the duration is over; with several Rasa URLs the turns of every conversation alternate between them.
Founders arrive at random moments within --ramp seconds (default: one pause; --ramp 0: all at once).
Reports turns (or requests) per second, p50/p95/p99 latency (in all, by kind of turn and by 10 s slice of
the run), errors, each process's CPU per turn, and the peak memory (VmHWM) of each
process given with --pid NAME=PID or started with --start. Loopback only; every loop is bounded by --duration.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from scripts.stack import LocalStack, cpu_seconds, peak_rss_mb

ROOT = Path(__file__).resolve().parent.parent

FIRST_MESSAGES = [
    "Nous avons un prototype de logiciel et cherchons un financement pour le développer",
    "Notre dispositif médical est marqué CE, il nous faut une étude clinique : qui peut la cofinancer ?",
    "On voudrait tester notre application avec des patients et des soignants à l'hôpital",
    "We have a prototype AI software and need hospital data warehouses to validate our model",
    "Bonjour, j'ai un projet en santé numérique et je voudrais être accompagné",
    "Nous sommes une start-up en imagerie médicale, on cherche des appels à projets",
    "We are scaling abroad and need to raise a large round",
    "Comment obtenir le remboursement de notre télésurveillance par l'Assurance maladie ?",
]
QUESTIONS = [
    "Quel est le budget de la stratégie santé numérique ?",
    "Combien pour la formation ?",
    "When was the strategy launched?",
    "Qu'est-ce que Mon espace santé ?",
]
VARIANTS = ["please", "merci", "svp", "thanks", "urgent", "question", "projet", "startup"]
LATENCY_GOAL_S = 1.0  # saturation: the highest rate whose p95 stays under this


WINDOW_S = 10.0


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    conversations: int = 0
    by_kind: dict[str, list[float]] = field(default_factory=dict)  # rasa: first message, button, typed text
    started: float = field(default_factory=time.monotonic)
    ended_at: list[float] = field(default_factory=list)  # seconds since `started`, one per latency

    def add(self, elapsed: float, kind: str | None = None) -> None:
        self.latencies.append(elapsed)
        self.ended_at.append(time.monotonic() - self.started)
        if kind:
            self.by_kind.setdefault(kind, []).append(elapsed)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def report(self, seconds: float) -> dict:
        lat = self.latencies
        return {
            **_quantiles(lat),
            "per_s": round(len(lat) / seconds, 1) if seconds else None,
            "mean_ms": round(1000 * statistics.fmean(lat), 1) if lat else None,
            "errors": sum(self.errors.values()),
            "error_kinds": self.errors,
            "conversations": self.conversations,
            **({"by_kind": {k: _quantiles(v) for k, v in sorted(self.by_kind.items())}} if self.by_kind else {}),
            "windows": self.windows(),
        }

    def windows(self, width: float = WINDOW_S) -> list[dict]:
        """Latency by successive slices of the run (the arrival of every founder at the start, then the
        steady state): from_s, count, p50_ms, p95_ms, p99_ms."""
        if len(self.ended_at) != len(self.latencies):  # latencies given without their moments
            return []
        slices: dict[int, list[float]] = {}
        for at, elapsed in zip(self.ended_at, self.latencies, strict=True):
            slices.setdefault(int(at // width), []).append(elapsed)
        return [{"from_s": i * width, **_quantiles(v)} for i, v in sorted(slices.items())]


def _quantiles(values: list[float]) -> dict:
    """count, p50_ms, p95_ms, p99_ms (None when there is nothing to count)."""
    lat = sorted(values)
    return {"count": len(lat), **{f"p{round(p * 100)}_ms": round(1000 * lat[min(len(lat) - 1, int(p * len(lat)))], 1)
                                  if lat else None for p in (0.5, 0.95, 0.99)}}


class CpuMeter:
    """CPU time each process (and this load generator) spends during a run, in all and per turn or request:
    on a machine whose cores are all busy, it says which process the next core or the next saving is for."""

    def __init__(self, pids: dict[str, int]):
        self.pids = pids
        self.start = self._now()

    def _now(self) -> dict[str, float | None]:
        t = os.times()
        return {name: cpu_seconds(pid) for name, pid in self.pids.items()} | {"load generator": t.user + t.system}

    def report(self, count: int) -> dict:
        end, out = self._now(), {}
        for name, t1 in end.items():
            t0 = self.start.get(name)
            if t0 is not None and t1 is not None:
                used = t1 - t0
                out[name] = {"cpu_s": round(used, 2), "cpu_ms_per_op": round(1000 * used / count, 1) if count else None}
        total = sum(v["cpu_s"] for v in out.values())
        return {"processes": out, "all_cpu_ms_per_op": round(1000 * total / count, 1) if count else None}


def service_pids() -> dict[str, int]:
    """The machine's PostgreSQL and Redis servers (the production configuration's stores), where running."""
    out = {}
    for name, pattern in (("postgresql", "postgres"), ("redis", "redis-server")):
        found = subprocess.run(["pgrep", "-o", "-x", pattern], capture_output=True, text=True).stdout.split()
        if found:
            out[name] = int(found[0])
    return out


def _buttons(messages: list[dict]) -> list[str]:
    return [b["payload"] for m in messages for b in m.get("buttons") or [] if b.get("payload")]


def next_message(messages: list[dict], step: int, rng: random.Random) -> str | None:
    """What a founder says next: confirm when asked to, else click an answer, then a question, then stop."""
    payloads = _buttons(messages)
    if "/affirm" in payloads:
        return "/affirm"
    answers = [p for p in payloads if p.startswith("/inform")]
    if answers:
        return rng.choice(answers)
    details = [p for p in payloads if p.startswith("/ask_about_lever")]
    if details and step < 8:
        return rng.choice([rng.choice(QUESTIONS), details[0]])
    return None


async def founder(urls: list[str], client: httpx.AsyncClient, tally: Tally, pause: float, deadline: float,
                  rng: random.Random, ramp: float = 0.0) -> None:
    """One simulated founder: whole conversations, one after another, until the deadline; the first one
    after a random moment within `ramp` seconds (founders do not all arrive in the same instant)."""
    if ramp:
        await asyncio.sleep(rng.uniform(0, ramp))
    while time.monotonic() < deadline:
        sender, turn = f"load-{uuid.uuid4().hex}", 0
        message: str | None = rng.choice(FIRST_MESSAGES)
        start = rng.randrange(len(urls))  # turns alternate between servers, each conversation from its own first
        while message is not None and time.monotonic() < deadline and turn < 10:
            url = urls[(start + turn) % len(urls)]
            t0 = time.perf_counter()
            try:
                r = await client.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message})
                elapsed = time.perf_counter() - t0
                if r.status_code != 200:
                    tally.error(f"HTTP {r.status_code}")
                    break
                replies = r.json()
                if not replies:
                    tally.error("empty reply")
            except (httpx.HTTPError, ValueError) as exc:
                tally.error(type(exc).__name__)
                break
            tally.add(elapsed, "first message" if turn == 0 else "button" if message.startswith("/") else "typed")
            turn += 1
            message = next_message(replies, turn, rng)
            if pause:
                await asyncio.sleep(pause * rng.uniform(0.8, 1.2))
        tally.conversations += 1


async def run_rasa(urls: list[str], conversations: int, pause: float, duration: float, seed: int,
                   pids: dict[str, int] | None = None, ramp: float = 0.0) -> dict:
    tally, meter = Tally(), CpuMeter(pids or {})
    limits = httpx.Limits(max_connections=conversations + 4, max_keepalive_connections=conversations + 4)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        t0 = time.monotonic()
        deadline = t0 + duration
        await asyncio.gather(
            *(founder(urls, client, tally, pause, deadline, random.Random(seed + i), ramp)
              for i in range(conversations))
        )
        seconds = time.monotonic() - t0
    return {"mode": "rasa", "urls": urls, "founders": conversations, "pause_s": pause, "ramp_s": ramp,
            **tally.report(seconds),
            "cpu": meter.report(len(tally.latencies))}


def _queries() -> list[str]:
    """Realistic queries: the project's own evaluation sets (eval/*.jsonl)."""
    out = []
    for path in sorted((ROOT / "eval").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = json.loads(line).get("text") if line.strip() else None
            if text:  # the evaluation sets' questions (the journeys' files have turns, not a text)
                out.append(text)
    return out or FIRST_MESSAGES


async def run_api(url: str, concurrency: int, duration: float, routes: list[str], seed: int,
                  pids: dict[str, int] | None = None, unique: bool = False) -> dict:
    """Closed-loop load on the public API: each worker sends its next request as soon as one returns."""
    queries, tallies, meter = _queries(), {r: Tally() for r in routes}, CpuMeter(pids or {})

    def pick(rng: random.Random) -> str:
        # --unique: every request a text never seen before (the query cache cannot help), as a busy staff
        # API would see; otherwise the evaluation queries repeat, as the bot's form steps repeat a project.
        q = rng.choice(queries)
        return f"{q} {rng.choice(VARIANTS)} {rng.getrandbits(40):x}" if unique else q

    async def worker(client: httpx.AsyncClient, rng: random.Random, deadline: float) -> None:
        while time.monotonic() < deadline:
            route = rng.choice(routes)
            body = {"query": pick(rng), "k": 5} if route == "search" else {"text": pick(rng)}
            t0 = time.perf_counter()
            try:
                r = await client.post(f"{url}/{route}", json=body)
                if r.status_code != 200:
                    tallies[route].error(f"HTTP {r.status_code}")
                    continue
            except httpx.HTTPError as exc:
                tallies[route].error(type(exc).__name__)
                continue
            tallies[route].latencies.append(time.perf_counter() - t0)

    async with httpx.AsyncClient(timeout=30) as client:
        before = await _query_cache(client, url)
        t0 = time.monotonic()
        await asyncio.gather(*(worker(client, random.Random(seed + i), t0 + duration) for i in range(concurrency)))
        seconds = time.monotonic() - t0
        after = await _query_cache(client, url)
    count = sum(len(t.latencies) for t in tallies.values())
    cache = None
    if before and after:
        hits, misses = after[0] - before[0], after[1] - before[1]
        rate = round(hits / (hits + misses), 3) if hits + misses else None
        cache = {"hits": hits, "misses": misses, "hit_rate": rate}
    return {"mode": "api", "url": url, "concurrency": concurrency, "unique_queries": unique,
            **{r: t.report(seconds) for r, t in tallies.items()}, "query_cache": cache, "cpu": meter.report(count)}


async def _query_cache(client: httpx.AsyncClient, url: str) -> tuple[int, int] | None:
    """(hits, misses) of the API's query-embedding cache, from its readiness report; None if it has none."""
    try:
        line = (await client.get(f"{url}/ready")).json()["checks"].get("query_cache", "")
    except (httpx.HTTPError, ValueError, KeyError):
        return None
    found = re.search(r"(\d+) hits, (\d+) misses", line)
    return (int(found[1]), int(found[2])) if found else None


async def saturate(urls: list[str], steps: list[int], duration: float, seed: int,
                   pids: dict[str, int] | None = None) -> dict:
    """Founders without pauses at growing concurrency; the best rate whose p95 stays under LATENCY_GOAL_S."""
    results = []
    for n in steps:
        res = await run_rasa(urls, n, 0.0, duration, seed, pids)
        results.append(res)
        print(f"  {n:3d} founders: {res['per_s']} turns/s, p95 {res['p95_ms']} ms, errors {res['errors']}",
              file=sys.stderr)
    ok = [r for r in results if r["p95_ms"] is not None and r["p95_ms"] < 1000 * LATENCY_GOAL_S and not r["errors"]]
    best = max(ok, key=lambda r: r["per_s"]) if ok else None
    return {"mode": "saturate", "urls": urls, "steps": results,
            "best_turns_per_s_under_p95_1s": best["per_s"] if best else None,
            "at_founders": best["founders"] if best else None}


def start_profiles(pids: dict[str, int], seconds: float, folder: Path) -> list[subprocess.Popen]:
    """py-spy (sampling, from outside) on each process for the measured run: where its time goes."""
    folder.mkdir(parents=True, exist_ok=True)
    spy = Path(sys.executable).with_name("py-spy")
    return [
        subprocess.Popen([str(spy), "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "50",
                          "--format", "raw", "--nonblocking", "--output", str(folder / f"{name}.txt")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for name, pid in pids.items()
    ]


# Where a turn's time goes, by the functions that do it (Rasa 3.6's processor, the API's brain); the names
# of one category are disjoint, so their inclusive shares add up.
CATEGORIES = {
    "rasa: whole message": ("handle_message",),
    "rasa: nlu": ("parse_message",),
    "rasa: policy prediction": ("predict_next_with_tracker_if_should",),
    "rasa: running actions (incl. the action server round trip)": ("_run_action",),
    "rasa: tracker store": ("save_tracker", "_retrieve"),
    "api: routing": ("Brain.route",),
    "api: search": ("Brain.search",),
    "api: answers": ("Brain.ask",),
}


def summarise_profile(path: Path, top: int = 8) -> dict:
    """Samples of one process, the share of each category and the functions holding most samples, inclusive;
    frames on nearly every sample (the server's own loop and wrappers) are left out of the top."""
    total, inclusive = 0, {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        for frame in dict.fromkeys(f.split(" (")[0] for f in stack.split(";")):
            inclusive[frame] = inclusive.get(frame, 0) + n
    if not total:
        return {"samples": 0, "categories": {}, "top": []}
    ranked = sorted(inclusive.items(), key=lambda kv: -kv[1])
    shares = {name: round(100 * sum(inclusive.get(f, 0) for f in names) / total, 1)
              for name, names in CATEGORIES.items()}
    return {
        "samples": total,
        "categories": {k: v for k, v in shares.items() if v},
        "top": [(f, round(100 * n / total, 1)) for f, n in ranked if n < 0.9 * total][:top],
    }


def _pids(pairs: list[str]) -> dict[str, int]:
    out = {}
    for pair in pairs:
        name, _, pid = pair.partition("=")
        out[name] = int(pid)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["rasa", "saturate", "api"])
    ap.add_argument("--url", action="append", default=[], help="Rasa (rasa, saturate) or API base URL; repeatable")
    ap.add_argument("--start", choices=["embedded", "production"], help="start a private stack (scripts/stack.py)")
    ap.add_argument("--rasa-instances", type=int, default=1, help="with --start: Rasa servers (2+: production)")
    ap.add_argument("--api-workers", type=int, default=1, help="with --start: uvicorn worker processes")
    ap.add_argument("--conversations", type=int, default=50, help="concurrent founders (rasa)")
    ap.add_argument("--pause", type=float, default=2.0, help="seconds each founder waits between turns (rasa)")
    ap.add_argument("--ramp", type=float, help="rasa: founders arrive at random within this many seconds "
                    "(default: one pause; 0: all in the same instant)")
    ap.add_argument("--concurrency", type=int, default=8, help="concurrent API clients (api)")
    ap.add_argument("--routes", default="search,route", help="API routes to load (api)")
    ap.add_argument("--unique", action="store_true", help="api: every query text new (no query-cache hits)")
    ap.add_argument("--steps", default="1,2,4,8,16,32", help="founder counts to try (saturate)")
    ap.add_argument("--duration", type=float, default=30.0, help="seconds per run (per step for saturate)")
    ap.add_argument("--warmup", type=float, default=3.0, help="seconds of unmeasured load first")
    ap.add_argument("--pid", action="append", default=[], help="NAME=PID of a process whose peak memory to report")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, help="also write the JSON report here")
    ap.add_argument("--profile", type=Path, help="record every process with py-spy into this folder (rasa, api)")
    args = ap.parse_args()

    stack = None
    if args.start:
        stack = LocalStack(args.start, args.rasa_instances, args.api_workers, api_only=args.mode == "api").start()
    try:
        pids = _pids(args.pid) | (stack.pids() if stack else {})
        # CPU is counted for the stores too (not profiled: py-spy reads Python processes only).
        metered = pids | (service_pids() if args.start == "production" else {})
        if args.mode == "api":
            url = args.url[0] if args.url else (stack.api if stack else "http://127.0.0.1:8000")
            routes = [r.strip() for r in args.routes.split(",") if r.strip()]
            if args.warmup:
                asyncio.run(run_api(url, args.concurrency, args.warmup, routes, args.seed + 1000, unique=args.unique))
            spies = start_profiles(pids, args.duration, args.profile) if args.profile else []
            report = asyncio.run(run_api(url, args.concurrency, args.duration, routes, args.seed, metered, args.unique))
            for spy in spies:
                spy.wait(timeout=60)
        else:
            urls = args.url or (stack.rasa if stack else ["http://127.0.0.1:5005"])
            if args.warmup:
                asyncio.run(run_rasa(urls, min(4, args.conversations), 0.0, args.warmup, args.seed + 1000))
            if args.mode == "rasa":
                spies = start_profiles(pids, args.duration, args.profile) if args.profile else []
                ramp = args.pause if args.ramp is None else args.ramp
                report = asyncio.run(run_rasa(urls, args.conversations, args.pause, args.duration, args.seed, metered,
                                              ramp))
                for spy in spies:
                    spy.wait(timeout=60)
            else:
                steps = [int(s) for s in args.steps.split(",") if s.strip()]
                report = asyncio.run(saturate(urls, steps, args.duration, args.seed, metered))
        if args.profile and args.mode != "saturate":
            report["profile"] = {
                name: summarise_profile(args.profile / f"{name}.txt")
                for name in pids
                if (args.profile / f"{name}.txt").exists()
            }
        report["peak_rss_mb"] = {name: peak_rss_mb(pid) for name, pid in pids.items()}
        report["stack"] = args.start or "external"
    finally:
        if stack:
            stack.stop()
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
