"""The spool of typed messages (adapters/spool.py): what a stopped process left is taken
over by the next, a torn last line is skipped, and a person's messages keep their order."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.spool import Spool, spool_directory


def test_a_new_process_adopts_what_a_stopped_one_left(tmp_path: Path) -> None:
    old = Spool(tmp_path)
    old.add("event:1", "T/U1", {"n": 1})
    old.add("event:2", "T/U1", {"n": 2, "text": "één"})
    old.done("event:1")
    old.close()  # a crash leaves the same: the lock goes with the process
    with old.path.open("a", encoding="utf-8") as torn:
        torn.write('{"add":"event:3","person":"T/U1","pay')  # cut off mid-write

    new = Spool(tmp_path)
    assert [(e.key, e.payload) for e in new.stalled()] == [("event:2", {"n": 2, "text": "één"})]
    assert not old.path.exists()
    new.done("event:2")
    new.close()
    assert list(tmp_path.iterdir()) == []  # nothing waiting: no file left with anyone's text


def test_a_running_process_keeps_its_own_file(tmp_path: Path) -> None:
    running = Spool(tmp_path)
    running.add("event:1", "T/U1", {})
    other = Spool(tmp_path)
    assert other.stalled() == [] and running.path.exists()
    running.done("event:1")
    other.close()
    running.close()


def test_a_persons_later_message_waits_behind_a_stalled_one(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.add("event:a", "T/U1", {})
    spool.add("event:b", "T/U1", {})
    spool.add("event:c", "T/U2", {})
    assert not spool.waits_behind("event:b")
    spool.stall("event:a")
    assert spool.waits_behind("event:b")
    assert not spool.waits_behind("event:a") and not spool.waits_behind("event:c")
    for key in ("event:a", "event:b", "event:c"):
        spool.done(key)
    spool.close()


def test_the_spool_folder_follows_the_database(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEERCOACH_SPOOL_DIR", raising=False)
    assert spool_directory(f"sqlite:///{tmp_path}/x.db") == tmp_path / "leercoach-spool"
    monkeypatch.setenv("LEERCOACH_SPOOL_DIR", str(tmp_path / "chosen"))
    assert spool_directory("postgresql://db/leercoach") == tmp_path / "chosen"
    monkeypatch.setenv("LEERCOACH_SPOOL_DIR", "off")
    assert spool_directory("postgresql://db/leercoach") is None


def test_text_that_is_not_valid_unicode_is_kept_as_it_came(tmp_path: Path) -> None:
    old = Spool(tmp_path)
    old.add("event:x", "T/U1", {"text": "half \ud800 a pair"})  # Slack passes it on
    old.close()
    new = Spool(tmp_path)
    assert [e.payload for e in new.stalled()] == [{"text": "half \ud800 a pair"}]
    new.done("event:x")
    new.close()
