"""`leercoach privacy rotate-key`: seal every stored answer under a new encryption key.

Also how encryption is switched on for a database that already holds answers: set a key,
then run this without --new-key, and the plain-text rows are sealed too.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from adapters.cli.common import EXIT_USAGE
from bot.config import Settings
from bot.runtime import open_runtime
from bot.storage.encryption import KEY_VARIABLE, KeyRing, split_keys
from bot.storage.key_rotation import rotate_key


def cmd_rotate_key(args: argparse.Namespace, settings: Settings) -> int:
    """Re-encrypt under `args.new_key` (default: the newest configured key), reading with
    `args.old_key` (default: the configured LEERCOACH_ENCRYPTION_KEY). Keys are never
    printed: they would end up in terminals and logs."""
    configured = split_keys(settings.encryption_key or "")
    given: str | None = getattr(args, "new_key", None)
    new_key = given
    old_keys = [key.strip() for key in getattr(args, "old_key", None) or [] if key.strip()]
    if not old_keys:
        old_keys = configured[1:] if new_key is None else configured
    if new_key is None:
        if not configured:
            print(f"leercoach: no key to encrypt under: pass --new-key or set {KEY_VARIABLE}",
                  file=sys.stderr)
            return EXIT_USAGE
        new_key = configured[0]
    new_key = new_key.strip()
    keys = [new_key, *(key for key in dict.fromkeys(old_keys) if key != new_key)]
    ring = KeyRing(keys, labels=["--new-key" if given else KEY_VARIABLE,
                                 *(f"old key {n} (--old-key or {KEY_VARIABLE})"
                                   for n in range(1, len(keys)))])
    # opened with every key, so the start's check reads rows a broken-off run already did
    runtime = open_runtime(replace(settings, encryption_key=",".join(keys)))
    try:
        done = rotate_key(runtime.database, ring)
    finally:
        runtime.close()
    print(f"Re-encrypted {done.reencrypted} values under the new key "
          f"({done.plain} were in plain text, {done.older} under an older key); "
          f"{done.current} were under it already.")
    if configured[:1] != [new_key]:
        print(f"Now set {KEY_VARIABLE} to the new key, first, and restart every leercoach "
              "process; keep an old key after it only while a process may still write with "
              "it, and run this again once none does.")
    elif len(configured) > 1:
        print(f"The keys after the first in {KEY_VARIABLE} are no longer needed: remove them "
              "once every leercoach process runs with the new key first.")
    return 0
