"""Agenda documents on disk: what a file really is (by its content), where it is kept.

A file is accepted for what its bytes are, never for its name or the type the browser
declares: PDF, PNG, JPEG, GIF, Office Open XML and OpenDocument files (ZIP archives holding
the parts those formats require) and legacy Office files (OLE2 compound documents). The
name must also agree with the content, so nobody downloads a PDF that calls itself .html.
Files are stored under instance/uploads/meetings (or UPLOAD_FOLDER) with random names.
"""

import io
import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

DEFAULT_MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    label: str  # shown to people
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("PDF", "application/pdf", ("pdf",))
PNG = FileKind("PNG", "image/png", ("png",))
JPEG = FileKind("JPEG", "image/jpeg", ("jpg", "jpeg"))
GIF = FileKind("GIF", "image/gif", ("gif",))
DOCX = FileKind(
    "Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",)
)
XLSX = FileKind(
    "Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)
)
PPTX = FileKind(
    "PowerPoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ("pptx",),
)
ODT = FileKind("OpenDocument text", "application/vnd.oasis.opendocument.text", ("odt",))
ODS = FileKind(
    "OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", ("ods",)
)
ODP = FileKind(
    "OpenDocument presentation", "application/vnd.oasis.opendocument.presentation", ("odp",)
)
DOC = FileKind("Word 97-2003", "application/msword", ("doc",))
XLS = FileKind("Excel 97-2003", "application/vnd.ms-excel", ("xls",))
PPT = FileKind("PowerPoint 97-2003", "application/vnd.ms-powerpoint", ("ppt",))

ACCEPTED_EXTENSIONS = ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp",
                       "png", "jpg", "jpeg", "gif")

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OOXML_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}
ODF_MIMETYPES = {kind.content_type: kind for kind in (ODT, ODS, ODP)}
OLE2_BY_EXTENSION = {"doc": DOC, "xls": XLS, "ppt": PPT}


def max_bytes() -> int:
    return int(current_app.config.get("MEETING_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _zip_kind(data: bytes) -> FileKind | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "mimetype" in names:
            # ODF: the first entry, stored uncompressed, names the document's type.
            with archive.open("mimetype") as handle:
                declared = handle.read(100).decode("ascii", "replace").strip()
            return ODF_MIMETYPES.get(declared) if "content.xml" in names else None
        if "[Content_Types].xml" in names:
            for part, kind in OOXML_PARTS.items():
                if part in names:
                    return kind
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        return None
    return None


def sniff(data: bytes, filename: str) -> FileKind | None:
    """The kind of file these bytes are, among the accepted ones; None otherwise."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith(OLE2_MAGIC):
        # A compound document does not say cheaply whether it is Word, Excel or PowerPoint;
        # the three are accepted and the name says which one it claims to be.
        return OLE2_BY_EXTENSION.get(extension(filename), DOC)
    return None


def clean_name(filename: str) -> str:
    """The name shown and offered for download: no folders, no control characters."""
    name = os.path.basename((filename or "").replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"/\\|?*')
    return name.strip(" .")[:200]


def folder() -> Path:
    root = current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    path = Path(root) / "meetings"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(data: bytes) -> str:
    """Write the bytes under a new random name and return that name."""
    stored_name = secrets.token_hex(16)
    target = folder() / stored_name
    with target.open("xb") as handle:
        handle.write(data)
    return stored_name


def path_of(stored_name: str) -> Path:
    return folder() / stored_name


def discard(stored_names: list[str]) -> None:
    """Remove files whose rows are gone (after the commit that removed them)."""
    for stored_name in stored_names:
        path_of(stored_name).unlink(missing_ok=True)
