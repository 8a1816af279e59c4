"""Identity document types a form can ask for. The values match counterdesk.identity's
DocumentType; checking a number's format belongs to that package, not to the forms."""
from __future__ import annotations

from counterdesk.base.text import Text

DOCUMENT_TYPES: dict[str, Text] = {
    "resident_id": Text("居民身份证", "Resident identity card"),
    "passport": Text("护照", "Passport"),
    "hk_macau_permit": Text("港澳居民来往内地通行证", "Mainland travel permit for Hong Kong and Macao residents"),
    "taiwan_permit": Text("台湾居民来往大陆通行证", "Mainland travel permit for Taiwan residents"),
    "hmt_residence_permit": Text("港澳台居民居住证", "Residence permit for Hong Kong, Macao and Taiwan residents"),
    "foreign_pr_id": Text("外国人永久居留身份证", "Foreign permanent resident ID card"),
}
