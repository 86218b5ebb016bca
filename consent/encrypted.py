"""Personal fields stored encrypted under their subject's data key, declared once beside the model field.

    class Note(models.Model):
        body_enc = models.BinaryField()
        body = Encrypted("body_enc", label="conversations.note", subject=lambda note: note.conversation.subject)

``note.body`` decrypts, ``note.body = "..."`` encrypts into ``body_enc``. The label is the associated data that
binds a ciphertext to its field (and, through the vault, to its subject): written once, here, read by both
directions, so encrypt and decrypt can never disagree on it. A ciphertext copied to another field or another
subject's row fails to decrypt instead of leaking.

Invariants:
- Nothing but this module encrypts or decrypts a field (``consent.crypto.encrypt``/``decrypt``; a test checks).
- The stored forms are those of the first release (text as UTF-8, JSON as UTF-8 of ``json.dumps``, bytes as
  base64 text), so rows written before this module existed stay readable.
- Reading a field of an erased subject raises ``KeyDestroyed``; ``or_erased`` turns that into a placeholder
  for pages and lists.
"""

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from consent import crypto
from consent.exceptions import ConsentError, KeyDestroyed

if TYPE_CHECKING:
    from consent.models import Subject

ERASED = "[erased]"


@dataclass(frozen=True, slots=True)
class Codec[V]:
    """How a value becomes the text the vault encrypts, and back."""

    dump: Callable[[V], str]
    load: Callable[[str], V]
    empty: Callable[[], V]


TEXT: Codec[str] = Codec(dump=str, load=str, empty=str)
JSON: Codec[dict] = Codec(dump=lambda value: json.dumps(value, ensure_ascii=False), load=json.loads, empty=dict)
BYTES: Codec[bytes] = Codec(dump=lambda value: base64.b64encode(value).decode(), load=base64.b64decode, empty=bytes)


class Encrypted[V]:
    """An encrypted personal field: its associated-data label, its subject and its codec, in one place.

    ``column`` names the model field holding the ciphertext (``None`` for ciphertext kept elsewhere, such as an
    attachment's file: then use ``encrypt`` and ``decrypt``). ``label`` is a string, or a function of the instance
    for a label that depends on a row's kind (contact points are bound to their kind too).
    """

    def __init__(
        self,
        column: str | None,
        *,
        label: str | Callable[[Any], str],
        subject: Callable[[Any], "Subject | None"],
        codec: Codec[V] = TEXT,  # type: ignore[assignment]
    ) -> None:
        self.column = column
        self.label = label
        self.subject = subject
        self.codec = codec
        self.name = column or ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def label_for(self, instance: Any) -> str:
        return self.label(instance) if callable(self.label) else self.label

    def _subject(self, instance: Any) -> "Subject":
        subject = self.subject(instance)
        if subject is None:  # the row outlived its subject's erasure (SET_NULL)
            raise KeyDestroyed(f"{type(instance).__name__} #{instance.pk}: its subject was erased")
        return subject

    def _aad(self, instance: Any, subject: "Subject") -> bytes:
        # The first release's associated data: the field's label and the subject's public id.
        return f"{self.label_for(instance)}|{subject.public_id}".encode()

    def encrypt(self, instance: Any, value: V) -> bytes:
        subject = self._subject(instance)
        plaintext = self.codec.dump(value).encode()
        return crypto.encrypt(subject.unwrapped_key(), plaintext, aad=self._aad(instance, subject))

    def decrypt(self, instance: Any, ciphertext: bytes) -> V:
        subject = self._subject(instance)
        plaintext = crypto.decrypt(subject.unwrapped_key(), bytes(ciphertext), aad=self._aad(instance, subject))
        return self.codec.load(plaintext.decode())

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        if self.column is None:
            raise AttributeError(f"{self.name} is kept outside the row: use decrypt() on what you read")
        stored = getattr(instance, self.column)
        if not stored:
            return self.codec.empty()
        return self.decrypt(instance, stored)

    def __set__(self, instance: Any, value: V) -> None:
        if self.column is None:
            raise AttributeError(f"{self.name} is kept outside the row: use encrypt()")
        # An empty value is stored as no ciphertext at all (NULL), as the first release did.
        setattr(instance, self.column, self.encrypt(instance, value) if value else None)


def or_erased[V](read: Callable[[], V], default: Any = ERASED) -> V | Any:
    """``read()``, or ``default`` when the subject's key is gone (erased): for pages, lists and events."""
    try:
        return read()
    except ConsentError:
        return default


def encrypted_fields(model: type) -> list[Encrypted]:
    """The encrypted fields a model declares (for the registry, exports and tests)."""
    return [value for klass in model.__mro__ for value in vars(klass).values() if isinstance(value, Encrypted)]
