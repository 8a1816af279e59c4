"""No pre-ticked options anywhere the customer answers (保险销售行为管理办法 Art 23, in force 2024-03-01).

Every bundled form definition and data file is opened: a form the customer answers or reads on the customer
window (questionnaires, notices, consents, warnings) carries no default selection, and on the teller-keyed
KYC form the customer's own declarations carry none either. The customer windows themselves start with
nothing checked."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtWidgets import QAbstractButton, QCheckBox, QRadioButton

import counterdesk.forms
from counterdesk.forms.disclosures import confirmation_sentence, disclosures_for
from counterdesk.forms.registry import load_form, load_questionnaire
from counterdesk.ui.customer.questionnaire import CustomerWindow
from counterdesk.ui.customer.signoff import SignoffWindow

FORMS_DIR = Path(counterdesk.forms.__file__).parent
DEFINITIONS = sorted((FORMS_DIR / "definitions").glob("*_v*.json"))
DATA = sorted((FORMS_DIR / "data").glob("*.json"))
# Keys that pre-select something when a form opens.
PRESELECT = ("default", "checked", "selected", "preselected", "initial")
# Kinds the customer answers or confirms on the customer window.
CUSTOMER_KINDS = frozenset({"questionnaire", "notice"})
# Fields of the teller-keyed KYC form that are the customer's own statement, not the teller's finding.
CUSTOMER_DECLARATIONS = {"kyc": frozenset({"pep_status", "tax_residency"})}


def _fields(node: Any, path: str = ""):
    """Every field-like mapping (one with a "key") with where it sits."""
    if isinstance(node, dict):
        if "key" in node:
            yield path, node
        for k, v in node.items():
            yield from _fields(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _fields(v, f"{path}/{i}")


def _preselections(node: Any, path: str = ""):
    """Every pre-selecting key anywhere (fields, options, sub-fields)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in PRESELECT and v not in (None, False, "", []):
                yield f"{path}/{k}", v
            yield from _preselections(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _preselections(v, f"{path}/{i}")


def test_every_definition_is_opened():
    kinds = {json.loads(p.read_text("utf-8"))["kind"] for p in DEFINITIONS}
    assert len(DEFINITIONS) >= 10 and {"questionnaire", "notice", "form"} <= kinds
    assert DATA, "the forms' data files are checked too"


@pytest.mark.parametrize("path", [p for p in DEFINITIONS if json.loads(p.read_text("utf-8"))["kind"] in CUSTOMER_KINDS],
                         ids=lambda p: p.name)
def test_customer_forms_have_no_default_selection(path):
    found = list(_preselections(json.loads(path.read_text("utf-8"))))
    assert found == [], f"{path.name}: pre-selected {found} (保险销售行为管理办法 Art 23)"


@pytest.mark.parametrize("path", DATA, ids=lambda p: p.name)
def test_data_files_preselect_nothing(path):
    assert list(_preselections(json.loads(path.read_text("utf-8")))) == []


def _declaration_defaults(form_id: str, version: int) -> list[str]:
    out = []
    for path in DEFINITIONS:
        doc = json.loads(path.read_text("utf-8"))
        if doc["id"] != form_id or doc["version"] != version:
            continue
        for where, f in _fields(doc):
            if f["key"] in CUSTOMER_DECLARATIONS[form_id] and f.get("default") not in (None, False, ""):
                out.append(f"{path.name}{where}: {f['key']} = {f['default']!r}")
    return out


def test_the_customers_declarations_on_the_current_kyc_form_are_not_preselected():
    current = load_form("kyc")
    assert current.version >= 2
    assert _declaration_defaults("kyc", current.version) == []


def test_the_declaration_check_sees_the_known_default_of_kyc_v1():
    """The check above is not vacuous: it finds exactly the pre-selection of kyc@1, which stays as
    published (stored answers cite it) and is no longer used for new customers."""
    assert [d.split(": ", 1)[1] for d in _declaration_defaults("kyc", 1)] == ["pep_status = 'none'"]


# ---- the customer windows start with nothing checked ---------------------------------------------------------

def _checked(widget) -> list[str]:
    return [b.objectName() or b.text() for b in widget.findChildren(QAbstractButton)
            if isinstance(b, (QRadioButton, QCheckBox)) and b.isChecked()]


def test_the_questionnaire_window_starts_with_no_answer_ticked(qtbot):
    w = CustomerWindow(load_questionnaire(), "zh")
    qtbot.addWidget(w)
    radios = w.findChildren(QRadioButton)
    assert len(radios) >= 20 and _checked(w) == []
    assert all(g.checkedButton() is None for g in w.groups)


def test_the_signoff_window_starts_with_nothing_ticked(qtbot):
    forms = disclosures_for("insurance_non_guaranteed", customer_initiated=True, elderly_care=True, private=False)
    w = SignoffWindow(forms, "zh", min_seconds=5, recording_required=True,
                      sentence=confirmation_sentence("zh", customer_insists=True))
    qtbot.addWidget(w)
    assert _checked(w) == []
