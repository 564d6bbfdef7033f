"""Encryption at rest of what people write: column types that seal values on the way in.

With `LEERCOACH_ENCRYPTION_KEY` set, every `SecretText` and `SecretJSON` column is stored as
`enc1:` + a Fernet token (AES-128-CBC with HMAC-SHA256, from the `cryptography` package, not
home-made). The setting holds one key or several, comma-separated, newest first: values are
sealed under the newest and read with any (MultiFernet), which is how a key is rotated
(`rotate_key`, `leercoach privacy rotate-key`).

The prefix is what keeps both worlds readable: rows written before a key was set have none
and read back as they are (`rotate_key` seals them), while an encrypted value read without
its key is a clear error instead of a token shown as someone's reflection. The SQL column
types stay Text and JSON, so the schema and its migrations do not depend on the setting.

The key ring is process-wide (the column types cannot see which connection they serve):
`open_runtime` configures it from the settings, tests switch it with `using`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import JSON, Text, TypeDecorator
from sqlalchemy.engine import Dialect

from bot.errors import ConfigError

if TYPE_CHECKING:
    pass

KEY_VARIABLE = "LEERCOACH_ENCRYPTION_KEY"
PREFIX = "enc1:"
# Plain text that itself starts like a stored value (someone typed "enc1:…" while no key was
# set) is kept behind this mark, so it is never mistaken for a token.
ESCAPE = "enc0:"
_MARKS = (PREFIX, ESCAPE)
# Values this ring sealed or opened lately, so a dialog's answers written in one turn are not
# decrypted again in the next (a Fernet round trip costs about 45 µs; a turn a few hundred).
# The plain text is in this process's memory anyway, and so is the key.
_KNOWN_MAX = 1024
GENERATE_HINT = (
    'generate one with: python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)


class UnreadableSecret(ConfigError):
    """A stored value is encrypted and the configured keys cannot open it: a missing or
    wrong `LEERCOACH_ENCRYPTION_KEY`, which only the operator can fix."""


def split_keys(value: str) -> list[str]:
    """The keys of a setting like "NEW,OLD", newest first (blank parts ignored)."""
    return [part.strip() for part in value.split(",") if part.strip()]


class KeyRing:
    """Fernet keys, newest first: seals under the newest, opens with any of them.

    Never shows a key: not in its repr, not in an error message.
    """

    __slots__ = ("_all", "_known", "_newest", "size")

    def __init__(self, keys: Sequence[str], labels: Sequence[str] | None = None) -> None:
        if not keys:
            raise ConfigError(f"{KEY_VARIABLE} holds no key; {GENERATE_HINT}")
        if labels is None:
            labels = [KEY_VARIABLE] if len(keys) == 1 else [
                f"{KEY_VARIABLE} (key {n} of {len(keys)})" for n in range(1, len(keys) + 1)]
        fernets = []
        for key, label in zip(keys, labels, strict=True):
            try:
                fernets.append(Fernet(key.strip().encode("ascii")))
            except (ValueError, TypeError):
                # `from None`: the cause's traceback may quote the value; this one never does
                raise ConfigError(
                    f"{label} is not a Fernet key (32 bytes in URL-safe base64, 44 "
                    f"characters); {GENERATE_HINT}") from None
        self._newest = fernets[0]
        self._all = MultiFernet(fernets)
        self.size = len(fernets)
        self._known: dict[str, str] = {}

    @classmethod
    def from_setting(cls, value: str | None) -> KeyRing | None:
        """The ring of a `LEERCOACH_ENCRYPTION_KEY` value; None when it is not set."""
        keys = split_keys(value or "")
        return cls(keys) if keys else None

    def __repr__(self) -> str:
        return f"KeyRing({self.size} key{'s' if self.size != 1 else ''})"

    def seal(self, plaintext: str) -> str:
        stored = PREFIX + self._all.encrypt(plaintext.encode("utf-8")).decode("ascii")
        self._remember(stored, plaintext)
        return stored

    def open(self, stored: str) -> str:
        """The plain text of a sealed value (one that starts with PREFIX)."""
        known = self._known.get(stored)
        if known is not None:
            return known
        try:
            plaintext = self._all.decrypt(stored[len(PREFIX):].encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise UnreadableSecret(
                f"an encrypted answer in the database cannot be decrypted with {KEY_VARIABLE}: "
                "a wrong key? After a rotation list the new key first and the old one after "
                "it until `leercoach privacy rotate-key` has run") from None
        self._remember(stored, plaintext)
        return plaintext

    def _remember(self, stored: str, plaintext: str) -> None:
        known = self._known
        if len(known) >= _KNOWN_MAX:
            known.clear()  # crude, but a dict lookup stays the whole cost of a hit
        known[stored] = plaintext

    def is_newest(self, stored: str) -> bool:
        """Whether a sealed value is already under the newest key (nothing to rotate)."""
        try:
            self._newest.decrypt(stored[len(PREFIX):].encode("ascii"))
        except (InvalidToken, UnicodeError):
            return False
        return True

    def rotate(self, stored: str) -> str:
        """The same value sealed under the newest key."""
        try:
            token = self._all.rotate(stored[len(PREFIX):].encode("ascii"))
        except (InvalidToken, UnicodeError):
            self.open(stored)  # raises the clear error
            raise
        return PREFIX + token.decode("ascii")


_ring: KeyRing | None = None


def configure(ring: KeyRing | None) -> None:
    """Set the process's key ring (None: values are written in plain text)."""
    global _ring
    _ring = ring


def current() -> KeyRing | None:
    return _ring


@contextmanager
def using(ring: KeyRing | None) -> Iterator[KeyRing | None]:
    """Use `ring` inside the block and restore the previous one after it (for tests)."""
    previous = _ring
    configure(ring)
    try:
        yield ring
    finally:
        configure(previous)


def seal(plaintext: str) -> str:
    """How a text is stored under the current ring ("" stays "", so `!= ''` still works)."""
    ring = _ring
    if not plaintext:
        return plaintext
    if ring is None:
        return ESCAPE + plaintext if plaintext.startswith(_MARKS) else plaintext
    return ring.seal(plaintext)


def reveal(stored: str) -> str:
    """The text of a stored value, sealed or (from before a key was set) plain."""
    if not stored.startswith("enc"):  # the common case, decided in one comparison
        return stored
    if stored.startswith(PREFIX):
        ring = _ring
        if ring is None:
            raise UnreadableSecret(
                f"the database holds encrypted answers, but {KEY_VARIABLE} is not set")
        return ring.open(stored)
    if stored.startswith(ESCAPE):
        return stored[len(ESCAPE):]
    return stored


class SecretText(TypeDecorator[str]):
    """Text a person wrote: sealed when a key is set, read back either way."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else seal(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else reveal(value)


class SecretJSON(TypeDecorator[Any]):
    """JSON holding what people wrote (answers in progress, drafts): sealed as a whole into
    a JSON string when a key is set; the column stays JSON, so plain rows still read. An
    empty {} or [] is left as it is, like "" in SecretText: it says nothing, and sealing
    it would cost every turn of a dialog without context a Fernet round trip."""

    impl = JSON
    cache_ok = True
    hashable = False

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        ring = _ring
        if ring is None or value is None or value == {} or value == []:
            return value
        return ring.seal(dumps_json(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, str) and value.startswith(PREFIX):
            return json.loads(reveal(value))
        return value


def dumps_json(value: Any) -> str:
    """JSON as the secret columns store it: compact, and readable text (no \\u escapes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
