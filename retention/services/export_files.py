"""An export's file in storage: the ZIP sealed under the subject's data key, frame by frame.

The file is a run of frames, each a 4-byte length and ``RequestExport.data.encrypt`` of a header and up to
``FRAME`` bytes of the ZIP. The header names the export (its ``uid``), the frame's place and whether it is the
last, all inside the authenticated plaintext: frames cannot be reordered, dropped, cut off, or moved between
two exports of the same subject without the read failing (``ExportFileDamaged`` or the cipher's own refusal).

Invariants:
- Neither the ZIP nor its ciphertext is ever held in memory whole, only one frame at a time, both ways (an
  export with its media can be large: ``subject_export`` writes it as it reads it for the same reason).
- What is stored is ciphertext only; its name is random (``exports/<uid>.bin``) and says nothing of whose it is.
- Reading needs the subject's key: after an erasure (crypto-shredding) the file is unreadable even before it
  is deleted.
"""

import hashlib
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage

from consent.exceptions import KeyDestroyed
from retention.models import RequestExport

FRAME = 1 << 20  # bytes of the ZIP per frame: about 1.4 MB of ciphertext (base64 inside, as attachments)
_HEADER = struct.Struct(">16sQ?")  # the export's uid, the frame's index, whether it is the last
_LENGTH = struct.Struct(">I")
_LONGEST = 2 * FRAME  # no frame's ciphertext is longer: a length beyond it is damage, not a frame to read


class ExportFileDamaged(ValueError):
    """The stored file is not the sealed export it should be (cut off, reordered, another export's frames)."""


@dataclass(frozen=True, slots=True)
class Sealed:
    name: str  # in default_storage
    size: int  # of the ZIP
    sha256: str  # of the ZIP


def export_file_seal(*, export: RequestExport, source: Path) -> Sealed:
    """Encrypt the ZIP at ``source`` for ``export`` (not saved yet: its request's subject gives the key) into
    storage; what was stored, with the ZIP's size and hash."""
    digest, size, index = hashlib.sha256(), 0, 0
    with source.open("rb") as plain, tempfile.TemporaryFile() as sealed:
        chunk = plain.read(FRAME)
        while True:
            following = plain.read(FRAME)
            last = not following
            digest.update(chunk)
            size += len(chunk)
            frame = RequestExport.data.encrypt(export, _HEADER.pack(export.uid.bytes, index, last) + chunk)
            sealed.write(_LENGTH.pack(len(frame)))
            sealed.write(frame)
            if last:
                break
            chunk, index = following, index + 1
        sealed.seek(0)
        name = default_storage.save(f"exports/{export.uid.hex}.bin", File(sealed))
    return Sealed(name=name, size=size, sha256=digest.hexdigest())


def export_file_open(*, export: RequestExport) -> Iterator[bytes]:
    """The ZIP of a stored export, frame by frame. The key and the file are checked now (``KeyDestroyed``,
    ``FileNotFoundError``), so a caller learns before it answers that there is nothing to send."""
    subject = export.request.subject
    if subject is None:  # the request outlived its subject's erasure: so did nothing of the export
        raise KeyDestroyed(f"request export #{export.pk}: its subject was erased")
    subject.unwrapped_key()  # raises KeyDestroyed once the subject is erased
    if not export.file.name or not default_storage.exists(export.file.name):
        raise FileNotFoundError(f"request export #{export.pk}: no file")
    return _frames(export)


def _frames(export: RequestExport) -> Iterator[bytes]:
    with default_storage.open(export.file.name, "rb") as handle:  # opened once read: nothing left open if not
        index = 0
        while True:
            raw = handle.read(_LENGTH.size)
            if len(raw) != _LENGTH.size:
                raise ExportFileDamaged(f"request export #{export.pk}: cut off before frame {index}")
            (length,) = _LENGTH.unpack(raw)
            frame = handle.read(length) if length <= _LONGEST else b""
            if not frame or len(frame) != length:
                raise ExportFileDamaged(f"request export #{export.pk}: frame {index} is damaged")
            plaintext = RequestExport.data.decrypt(export, frame)
            uid, at, last = _HEADER.unpack_from(plaintext)
            if uid != export.uid.bytes or at != index:
                raise ExportFileDamaged(f"request export #{export.pk}: frame {index} is not its own")
            yield plaintext[_HEADER.size :]
            if last:
                if handle.read(1):
                    raise ExportFileDamaged(f"request export #{export.pk}: data after the last frame")
                return
            index += 1
