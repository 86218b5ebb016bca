"""What a file an agent sends really is, read from its bytes: never from the name or the browser's Content-Type.

WhatsApp's Cloud API carries images as JPEG or PNG (at most 5 MB) and documents as PDF, plain text or Microsoft
Office files, old (OLE2 compound files: .doc, .xls, .ppt) and new (Office Open XML zip packages: .docx, .xlsx,
.pptx), at most 100 MB. ``file_type_sniff`` tells those apart by their signatures and, for the Office families,
by the streams or parts inside the container; anything else (an executable renamed ``.pdf``, a zip that is no
Office document, HTML, SVG) is ``None``. No Django and no I/O here: bytes in, a ``FileType`` or ``None`` out.
"""

import io
import re
import struct
import zipfile
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileType:
    mime_type: str
    message_type: str  # conversations.models.MessageType value the message is sent as: "image" or "document"
    max_bytes: int
    extension: str  # what a name of this type ends with, without the dot

    @property
    def limit_label(self) -> str:
        return f"{self.max_bytes // MB} MB"


JPEG = FileType("image/jpeg", "image", 5 * MB, "jpg")
PNG = FileType("image/png", "image", 5 * MB, "png")
PDF = FileType("application/pdf", "document", 100 * MB, "pdf")
TEXT = FileType("text/plain", "document", 100 * MB, "txt")
DOC = FileType("application/msword", "document", 100 * MB, "doc")
XLS = FileType("application/vnd.ms-excel", "document", 100 * MB, "xls")
PPT = FileType("application/vnd.ms-powerpoint", "document", 100 * MB, "ppt")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "document", 100 * MB, "docx")
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "document", 100 * MB, "xlsx")
PPTX = FileType(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation", "document", 100 * MB, "pptx"
)

ALLOWED = (JPEG, PNG, PDF, TEXT, DOC, XLS, PPT, DOCX, XLSX, PPTX)
BY_MIME = {kind.mime_type: kind for kind in ALLOWED}
# The largest file of any allowed type: what a request may carry at most.
MAX_BYTES = max(kind.max_bytes for kind in ALLOWED)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream each OLE2 Office format keeps its content in (MS-DOC, MS-XLS, MS-PPT).
_OLE_STREAMS = {"WordDocument": DOC, "Workbook": XLS, "Book": XLS, "PowerPoint Document": PPT}
# The main part each Office Open XML package holds (ECMA-376).
_OOXML_PARTS = (("word/document.xml", DOCX), ("xl/workbook.xml", XLSX), ("ppt/presentation.xml", PPTX))
_END_OF_CHAIN = 0xFFFFFFFE
_CONTROL = re.compile("[\\x00-\\x08\\x0b\\x0e-\\x1f\\x7f]")


def file_type_sniff(data: bytes) -> FileType | None:
    """The allowed type ``data`` is, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(_OLE_MAGIC):
        return _ole_type(data)
    if data.startswith(b"PK\x03\x04"):
        return _ooxml_type(data)
    if _is_plain_text(data):
        return TEXT
    return None


def _is_plain_text(data: bytes) -> bool:
    """UTF-8 text (a BOM allowed) without control characters other than tab, line breaks and form feed."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return bool(text) and _CONTROL.search(text) is None


def _ooxml_type(data: bytes) -> FileType | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for part, kind in _OOXML_PARTS:
        if part in names:
            return kind
    return None


def _ole_type(data: bytes) -> FileType | None:
    """Read the compound file's directory (MS-CFB) and name the Office format by the stream it holds."""
    try:
        return _ole_directory_type(data)
    except (struct.error, IndexError, ValueError):
        return None


def _ole_directory_type(data: bytes) -> FileType | None:
    sector_shift = struct.unpack_from("<H", data, 30)[0]
    if sector_shift not in (9, 12):
        return None
    size = 1 << sector_shift
    fat_sector_count, first_directory = struct.unpack_from("<I", data, 44)[0], struct.unpack_from("<I", data, 48)[0]
    # The first 109 FAT sectors are listed in the header; Office files beyond that (~7 MB of FAT) are rare, and a
    # directory chain running off the listed FAT ends the walk (then only the sectors read so far are searched).
    fat_sectors = [s for s in struct.unpack_from("<109I", data, 76)[: min(fat_sector_count, 109)]]
    fat: list[int] = []
    for sector in fat_sectors:
        start = (sector + 1) * size
        fat.extend(struct.unpack_from(f"<{size // 4}I", data, start))
    sector, seen = first_directory, set()
    while sector != _END_OF_CHAIN and sector not in seen and len(seen) < 4096:
        seen.add(sector)
        start = (sector + 1) * size
        for offset in range(start, start + size, 128):
            name_length = struct.unpack_from("<H", data, offset + 64)[0]
            if not 2 <= name_length <= 64:
                continue
            name = data[offset : offset + name_length - 2].decode("utf-16-le", errors="replace")
            if name in _OLE_STREAMS and data[offset + 66] == 2:  # object type 2: a stream
                return _OLE_STREAMS[name]
        sector = fat[sector] if sector < len(fat) else _END_OF_CHAIN
    return None
