"""The copy of the identity document kept for customer due diligence (金融机构客户尽职调查和客户身份资料及
交易记录保存管理办法, Order 〔2025〕 No. 11: identity recorded and a copy of the document kept).

An image comes from the document reader (the simulator in demos and tests), from a scanner (an image
file the teller chooses) or from a camera. ``check_image`` validates it in memory (PNG or JPEG by
content, not by name; a size limit from the settings; decoded fully, so a truncated or disguised file
is refused; dimensions within bounds) and makes the small thumbnail that is the only view a teller
gets. ``store_image`` writes both into the SQLCipher database with the customer: never a plain file,
and nothing is written to disk on the way (the bytes go from the reader or the chosen file straight
into the encrypted store). The full image is for the roles with ``customer.document_image.view``.

Retention: KYC data, ``RETENTION_CLASS`` (10 years after the relationship ends, 反洗钱法 2024 Art 34;
domain-rules §6); the years come from the setting ``due_diligence.retention_years`` and are stored
with each row, so a later change of the setting does not shorten what was promised for older rows.
"""
from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from counterdesk.base.actors import SignedInUser
from counterdesk.base.roles import require
from counterdesk.base.settings import DD_IMAGE_MAX_KIB, DD_RETENTION_YEARS, SettingsValues
from counterdesk.base.text import Result, Text, ValidationFailed
from counterdesk.services.auth.vault import Vault
from counterdesk.services.customers.common import load_customer, new_id, now_iso
from counterdesk.store import audit
from counterdesk.store.models.due_diligence import CustomerDocumentImage

RETENTION_CLASS = "kyc_10y_after_relationship"
SOURCES = ("reader", "reader_simulator", "file", "camera")
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"))
# A legible copy of a card needs some resolution; anything past 12k px a side is not a scan of a card
# (and decoding it would cost the counter seconds and hundreds of MB).
MIN_SIDE, MAX_SIDE = 200, 12_000
THUMBNAIL_SIZE = (160, 110)  # small enough that the number cannot be read off it, big enough to see it is a card


@dataclass(frozen=True)
class CheckedImage:
    """An image that passed ``check_image``: the bytes as given, what they are, and the thumbnail."""

    data: bytes
    media_type: str
    width: int
    height: int
    sha256: str
    thumbnail: bytes
    source: str


@dataclass(frozen=True)
class ImageInfo:
    """What a screen may show about a stored copy (no image bytes but the thumbnail)."""

    image_id: str
    customer_id: str
    doc_type: str
    source: str
    media_type: str
    width: int
    height: int
    byte_size: int
    retention_class: str
    retention_years: int
    captured_at: str
    captured_by: str
    thumbnail: bytes


def _bad(code: str, zh: str, en: str) -> Result:
    res = Result()
    res.add("document_image", code, Text(zh, en))
    return res


def check_image(data: object, source: str,
                settings: SettingsValues | None = None) -> tuple[Result, CheckedImage | None]:
    """Validate an identity-document image in memory; the Result names what is wrong."""
    settings = settings or SettingsValues()
    if source not in SOURCES:
        return _bad("source", "未知的影像来源。", "Unknown image source."), None
    if not isinstance(data, (bytes, bytearray)) or not data:
        return _bad("empty", "没有影像数据。", "There is no image data."), None
    data = bytes(data)
    limit_kib = int(settings[DD_IMAGE_MAX_KIB])
    if len(data) > limit_kib * 1024:
        return _bad("too_large", f"影像文件过大（上限 {limit_kib} 千字节）。",
                    f"The image file is too large (at most {limit_kib} KiB)."), None
    kind = next((k for magic, k in _MAGIC if data.startswith(magic)), None)
    if kind is None:
        return _bad("format", "只接受 PNG 或 JPEG 图像。", "Only PNG or JPEG images are accepted."), None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != kind:
                    raise UnidentifiedImageError(probe.format)
                width, height = probe.size
                if min(width, height) < MIN_SIDE or max(width, height) > MAX_SIDE:
                    return _bad("dimensions",
                                f"影像尺寸应在 {MIN_SIDE} 至 {MAX_SIDE} 像素之间，当前为 {width}×{height}。",
                                f"The image must be {MIN_SIDE} to {MAX_SIDE} pixels a side; it is "
                                f"{width}×{height}."), None
                probe.load()  # decodes every pixel: a truncated or corrupt file fails here
                thumb = probe.convert("RGB")
                thumb.thumbnail(THUMBNAIL_SIZE)
                out = io.BytesIO()
                thumb.save(out, "PNG")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        return _bad("unreadable", "无法读取该图像（文件损坏或不是有效的 PNG/JPEG）。",
                    "The image cannot be read (damaged, or not a valid PNG/JPEG)."), None
    return Result(), CheckedImage(data, MEDIA_TYPES[kind], width, height, hashlib.sha256(data).hexdigest(),
                                  out.getvalue(), source)


def add_image(db: Session, us: SignedInUser, customer_id: str, doc_type: str, number_norm: str,
              image: CheckedImage, session_id: str | None, retention_years: int) -> str:
    """Store a checked image inside the caller's transaction; returns its id."""
    load_customer(db, customer_id)
    row = CustomerDocumentImage(
        id=new_id(), customer_id=customer_id, session_id=session_id, doc_type=doc_type, number_norm=number_norm,
        source=image.source, media_type=image.media_type, width=image.width, height=image.height,
        byte_size=len(image.data), sha256=image.sha256, image=image.data, thumbnail=image.thumbnail,
        retention_class=RETENTION_CLASS, retention_years=retention_years, captured_at=now_iso(),
        captured_by=us.user_id)
    db.add(row)
    db.flush()
    # Ids and codes only: never the number, the hash of the picture or anything read off it.
    audit.append(db, us.actor, "customer.document_image_stored", "document_image", row.id,
                 {"customer_id": customer_id, "session_id": session_id, "source": image.source,
                  "format": image.media_type, "doc_type": doc_type})
    return row.id


def store_image(vault: Vault, us: SignedInUser, customer_id: str, doc_type: str, number_norm: str,
                image: CheckedImage, session_id: str | None = None) -> str:
    """Keep the copy of the customer's identity document (teller: the customer's data is edited)."""
    require(us.role, "customer.edit")
    years = int(vault.settings()[DD_RETENTION_YEARS])
    return vault.transact(lambda db: add_image(db, us, customer_id, doc_type, number_norm, image, session_id, years))


def _info(row: CustomerDocumentImage) -> ImageInfo:
    return ImageInfo(row.id, row.customer_id, row.doc_type, row.source, row.media_type, row.width, row.height,
                     row.byte_size, row.retention_class, row.retention_years, row.captured_at, row.captured_by,
                     row.thumbnail)


def current_image_in(db: Session, customer_id: str, doc_type: str | None = None,
                     number_norm: str | None = None) -> CustomerDocumentImage | None:
    """The newest kept copy of the customer's document (of that document, when named)."""
    query = select(CustomerDocumentImage).where(CustomerDocumentImage.customer_id == customer_id)
    if doc_type is not None:
        query = query.where(CustomerDocumentImage.doc_type == doc_type)
    if number_norm is not None:
        query = query.where(CustomerDocumentImage.number_norm == number_norm)
    return db.scalars(query.order_by(CustomerDocumentImage.captured_at.desc(),
                                     CustomerDocumentImage.id.desc()).limit(1)).first()


def current_image(vault: Vault, us: SignedInUser, customer_id: str, doc_type: str | None = None,
                  number_norm: str | None = None) -> ImageInfo | None:
    """What a screen shows about the kept copy: the thumbnail and the facts, never the full image."""
    require(us.role, "customer.view")

    def read(db: Session) -> ImageInfo | None:
        row = current_image_in(db, customer_id, doc_type, number_norm)
        return _info(row) if row is not None else None
    return vault.transact(read)


def full_image(vault: Vault, us: SignedInUser, image_id: str) -> tuple[str, bytes]:
    """(media type, bytes) of a kept copy, for the roles that review it; the viewing is audited."""
    require(us.role, "customer.document_image.view")

    def read(db: Session) -> tuple[str, bytes]:
        row = db.get(CustomerDocumentImage, image_id) if isinstance(image_id, str) else None
        if row is None:
            raise ValidationFailed(_bad("not_found", "找不到该证件影印件。", "No such document copy."))
        audit.append(db, us.actor, "customer.document_image_viewed", "document_image", row.id,
                     {"customer_id": row.customer_id})
        return row.media_type, row.image
    return vault.transact(read)


__all__ = ["MEDIA_TYPES", "RETENTION_CLASS", "SOURCES", "CheckedImage", "ImageInfo", "add_image", "check_image",
           "current_image", "current_image_in", "full_image", "store_image"]
