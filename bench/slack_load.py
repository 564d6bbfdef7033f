"""Slack under load: `leercoach serve` with the mock Web API, N people at once, each
holding a whole diary dialog through signed /slack/events requests on loopback.

Each simulated person sends "dagboek", waits for the coach's question, answers three
questions by DM and presses a scale button, as a person in Slack would. We measure how fast
each request is acknowledged (Slack wants it within 3 seconds; our target is p99 <= 100 ms),
how many events per second the server takes, and whether every reply arrived at the mock
Web API. The server runs as its own process (`leercoach serve`), the people and the mock in
this one.

    python bench/slack_load.py                 # 200 people
    python bench/slack_load.py --people 10     # CI's smoke run

The last line is JSON: {"bench": "slack_load", "events", "errors", "ack_p50_ms",
"ack_p99_ms", "events_per_s", "replies_missing", "contract_violations", ...}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.rigs.clocks import with_clock  # noqa: E402
from tests.rigs.slack_mock import Call, MockSlackApi  # noqa: E402
from tests.rigs.slack_rig import BOT_TOKEN, SECRET, dm, press, sign  # noqa: E402

ANSWERS = ("Een klant vroeg iets lastigs over de planning.", "Ik vroeg eerst door.",
           "Eerst vragen, dan adviseren.")
REPLIES_PER_DIALOG = 5  # question 1, 2, 3, the scale, the closing words
REPLY_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    """The mock's chat.postMessage calls, sorted per DM as they arrive; one poller wakes
    the people waiting for a reply (not one busy loop each)."""

    def __init__(self, api: MockSlackApi) -> None:
        self.api = api
        self.seen = 0
        self.posts: dict[str, list[Call]] = defaultdict(list)
        self.changed = asyncio.Event()

    async def run(self) -> None:
        while True:
            calls = self.api.calls[self.seen:]
            self.seen += len(calls)
            for call in calls:
                if call.method == "chat.postMessage" and call.ok:
                    self.posts[str(call.params.get("channel"))].append(call)
            if calls:
                self.changed.set()
                self.changed = asyncio.Event()
            await asyncio.sleep(0.005)

    async def wait(self, channel: str, count: int) -> list[Call]:
        deadline = time.monotonic() + REPLY_TIMEOUT
        while len(self.posts[channel]) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(channel)
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except TimeoutError:
                raise TimeoutError(channel) from None
        return self.posts[channel]


async def send(http: aiohttp.ClientSession, url: str, raw: str, content_type: str,
               acks: list[float]) -> bool:
    started = time.perf_counter()
    async with http.post(url, data=raw, headers={"Content-Type": content_type,
                                                 **sign(raw)}) as response:
        await response.read()
        acks.append((time.perf_counter() - started) * 1000)
        return response.status == 200


async def person(number: int, http: aiohttp.ClientSession, url: str, inbox: Inbox,
                 acks: list[float]) -> tuple[int, int]:
    """One diary dialog; returns (errors, replies missing)."""
    user = f"U{number:05d}"
    channel = f"D{user}"
    errors = 0
    try:
        steps = ["dagboek", *ANSWERS]
        for index, text in enumerate(steps):
            ok = await send(http, url, json.dumps(dm(text, user)), "application/json", acks)
            errors += not ok
            await inbox.wait(channel, index + 1)
        scale = inbox.posts[channel][-1]
        payload = json.dumps(press(scale, "4", user))
        ok = await send(http, url, urlencode({"payload": payload}),
                        "application/x-www-form-urlencoded", acks)
        errors += not ok
        await inbox.wait(channel, REPLIES_PER_DIALOG)
    except (TimeoutError, LookupError, aiohttp.ClientError):
        errors += 1
    return errors, max(REPLIES_PER_DIALOG - len(inbox.posts[channel]), 0)


def start_server(api_url: str, database: str, port: int) -> subprocess.Popen[bytes]:
    # the server's clock agrees with this process's (the events' `ts` are read from it)
    env = with_clock({**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN,
                      "SLACK_SIGNING_SECRET": SECRET, "LEERCOACH_SLACK_API_URL": api_url,
                      "LEERCOACH_DATABASE_URL": database})
    env.pop("SLACK_APP_TOKEN", None)
    env.pop("SLACK_CLIENT_ID", None)
    profile_to = os.environ.get("BENCH_PROFILE")  # a file: profile the server with cProfile
    profile = ["-m", "cProfile", "-o", profile_to] if profile_to else []
    command = [sys.executable, *profile, "-m", "adapters.cli", "serve", "--no-scheduler",
               "--port", str(port)]
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)


async def wait_healthy(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("leercoach serve did not come up")


async def load(people: int, url: str, api: MockSlackApi) -> dict[str, Any]:
    await wait_healthy(url)
    inbox = Inbox(api)
    poller = asyncio.ensure_future(inbox.run())
    acks: list[float] = []
    connector = aiohttp.TCPConnector(limit=people)
    async with aiohttp.ClientSession(connector=connector) as http:
        started = time.perf_counter()
        results = await asyncio.gather(*(person(n, http, f"{url}/slack/events", inbox, acks)
                                         for n in range(people)))
        elapsed = time.perf_counter() - started
    poller.cancel()
    acks.sort()
    return {
        "events": len(acks),
        "errors": sum(e for e, _ in results),
        "ack_p50_ms": round(statistics.median(acks), 2) if acks else None,
        "ack_p99_ms": round(acks[min(len(acks) - 1, int(len(acks) * 0.99))], 2)
        if acks else None,
        "ack_max_ms": round(acks[-1], 2) if acks else None,
        "events_per_s": round(len(acks) / elapsed, 1),
        "replies_missing": sum(m for _, m in results),
        "seconds": round(elapsed, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, MockSlackApi.running() as api:
        api.users.update({f"U{n:05d}": {"real_name": f"Collega {n}"} for n in range(args.people)})
        port = free_port()
        database = f"sqlite:///{folder}/bench.db"
        server = start_server(api.base_url, database, port)
        try:
            result = asyncio.run(load(args.people, f"http://127.0.0.1:{port}", api))
        finally:
            server.terminate()
            server.wait(timeout=30)
        # what Slack would have refused or warned about (the mock checks Block Kit)
        result["contract_violations"] = len(api.violations)
    line = {"bench": "slack_load", "people": args.people, **result,
            "target_ack_p99_ms": 100}
    print(json.dumps(line))
    return 0 if result["errors"] == 0 and result["replies_missing"] == 0 \
        and result["contract_violations"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
