"""The second-factor code field, shared by the sign-in page, enrolment and the supervisor override."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QRegularExpressionValidator
from PySide6.QtWidgets import QLineEdit

CODE_PATTERN = r"[0-9]{0,6}|[A-Za-z0-9]{5}-?[A-Za-z0-9]{0,5}"  # six digits, or a recovery code XXXXX-XXXXX


def code_field(name: str) -> QLineEdit:
    """Six large digits centred (a recovery code is accepted too); no echo needed: a code is spent once used."""
    field = QLineEdit()
    field.setObjectName(name)
    field.setMaxLength(11)
    field.setValidator(QRegularExpressionValidator(CODE_PATTERN, field))
    field.setInputMethodHints(Qt.InputMethodHint.ImhPreferNumbers | Qt.InputMethodHint.ImhNoPredictiveText)
    font = field.font()
    font.setPointSize(font.pointSize() + 6)
    font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 4)
    field.setFont(font)
    field.setAlignment(Qt.AlignmentFlag.AlignCenter)
    field.setPlaceholderText("000000")
    return field
