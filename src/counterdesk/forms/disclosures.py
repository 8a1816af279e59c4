"""Which risk-disclosure texts a sale must show, and the sentence the customer types to confirm.

The texts themselves are ordinary versioned form definitions of kind "notice" (definitions/
disclosure_*_v1.json and the special notices), so loading them checks the file name, the structure
and the published content hash exactly like every other form; a sale record cites ``form.ref`` and
``form.hash`` to prove the wording the customer saw.

Order of the list returned by ``disclosures_for``: the product family's disclosure first (it is the
substance), then the special warning for a customer-initiated mismatch, the care notice for older
customers, and the cooling-off notice for private products (it describes what happens after signing).
"""
from __future__ import annotations

import re
import unicodedata

from counterdesk.base.settings import SettingsValues
from counterdesk.base.text import CounterDeskError, Text
from counterdesk.forms.definition import Form
from counterdesk.forms.registry import load_form

# Product type (counterdesk.services.catalog.products.PRODUCT_TYPES) → the disclosure of its family. Kept here
# rather than imported so that loading forms never pulls in the catalog; test_disclosures checks that
# every catalog type has an entry.
FAMILY_OF_TYPE: dict[str, str] = {
    "deposit": "deposit",
    "structured_deposit": "structured_deposit",
    "public_wm": "wealth_management",
    "private_wm": "wealth_management",
    "public_fund": "fund",
    "private_fund": "fund",
    "bond": "bond",
    "insurance_guaranteed": "insurance",
    "insurance_non_guaranteed": "insurance",
    "precious_metal": "precious_metal",
}
FAMILIES: tuple[str, ...] = ("deposit", "structured_deposit", "wealth_management", "fund", "bond", "insurance",
                             "precious_metal")
# Private products always get the cooling-off notice, even if a caller forgets the flag: the right
# exists by law for these types (domain-rules §5).
PRIVATE_TYPES = frozenset({"private_wm", "private_fund"})

MISMATCH_WARNING_ID = "warning_customer_initiated_mismatch"
ELDERLY_CARE_ID = "notice_elderly_care"
COOLING_OFF_ID = "notice_cooling_off"


class UnknownProductType(CounterDeskError):
    code = "unknown_product_type"


def family_form_id(family: str) -> str:
    return f"disclosure_{family}"


def disclosures_for(product_type: str, *, customer_initiated: bool, elderly_care: bool, private: bool) -> list[Form]:
    """The notices a sale of ``product_type`` must show, in display order (latest bundled versions).

    customer_initiated: the customer asked for a product above their grade (special written warning);
    elderly_care: the customer is 65+ and the product triggers the special duty of care;
    private: a private (non-public) product with a cooling-off period.
    """
    family = FAMILY_OF_TYPE.get(product_type)
    if family is None:
        raise UnknownProductType(Text(f"未知的产品类型“{product_type}”，无法确定风险揭示书。",
                                      f"Unknown product type '{product_type}': no risk disclosure for it."),
                                 detail=product_type)
    ids = [family_form_id(family)]
    if customer_initiated:
        ids.append(MISMATCH_WARNING_ID)
    if elderly_care:
        ids.append(ELDERLY_CARE_ID)
    if private or product_type in PRIVATE_TYPES:
        ids.append(COOLING_OFF_ID)
    return [load_form(form_id) for form_id in ids]


def all_disclosure_forms() -> list[Form]:
    """Every family disclosure and special notice (for checks and previews)."""
    return [load_form(family_form_id(f)) for f in FAMILIES] + [
        load_form(i) for i in (MISMATCH_WARNING_ID, ELDERLY_CARE_ID, COOLING_OFF_ID)]


def min_reading_seconds(risk_level: str, values: SettingsValues, *, elderly_care: bool = False) -> int:
    """Shortest time the disclosure stays on screen before confirming, from the settings snapshot
    ``values`` (counterdesk.base.settings.SettingsValues); an older customer gets at least the elderly minimum."""
    seconds = int(values[f"disclosure.min_reading_seconds_{risk_level.lower()}"])
    if elderly_care:
        seconds = max(seconds, int(values["suitability.elderly_reading_seconds"]))
    return seconds


# ---- the typed confirmation sentence -----------------------------------------------------------------

CONFIRMATION_SENTENCE = Text("本人已阅读风险揭示，愿意承担投资风险",
                             "I have read the risk disclosure and am willing to bear the investment risk")
INSIST_SENTENCE = Text("本人已知晓该产品不适合本人，仍坚持购买，自愿承担由此产生的风险和损失",
                       "I know this product is not suitable for me, I still insist on buying it and I bear the "
                       "resulting risks and losses myself")

# NFKC already folds full-width ASCII punctuation (，：；！？（）) to its half-width form; these are the
# CJK marks it leaves alone, folded to the ASCII mark a customer on the other keyboard would type.
_PUNCT = str.maketrans({"、": ",", "。": ".", "｡": ".", "「": '"', "」": '"', "“": '"', "”": '"',
                        "‘": "'", "’": "'", "—": "-", "－": "-"})
_SPACE_RE = re.compile(r"\s+")
# Whitespace next to a CJK character or punctuation is an IME artefact, not a word boundary.
_LOOSE_SPACE_RE = re.compile(r"\s*([^\w\s]|[\u3000-\u9fff])\s*")
_FINAL_STOP_RE = re.compile(r"[.!]+$")


def confirmation_sentence(lang: str, customer_insists: bool = False) -> str:
    """The sentence the customer must type, in the language of the disclosure shown. A customer who
    insists on a product the bank found unsuitable types their own decision instead (保险销售行为管理办法
    Art 28: the insisting customer's own decision, confirmed in their words)."""
    return (INSIST_SENTENCE if customer_insists else CONFIRMATION_SENTENCE).get(lang)


def normalise_sentence(text: str) -> str:
    """NFKC, CJK punctuation folded to ASCII, whitespace trimmed and collapsed (removed next to CJK
    characters and punctuation), a trailing full stop dropped. Letters and their case stay as typed."""
    s = unicodedata.normalize("NFKC", text).translate(_PUNCT)
    s = _SPACE_RE.sub(" ", s).strip()
    s = _LOOSE_SPACE_RE.sub(r"\1", s)
    return _FINAL_STOP_RE.sub("", s)


def sentence_matches(typed: str, expected: str) -> bool:
    """True only if the typed sentence is the expected one, up to width, punctuation form and spacing.

    Deliberately no fuzzy matching: a missing or changed word must fail, because the typed sentence
    is the customer's own statement that they accept the risk."""
    if not isinstance(typed, str) or not isinstance(expected, str):
        return False
    want = normalise_sentence(expected)
    return bool(want) and normalise_sentence(typed) == want
