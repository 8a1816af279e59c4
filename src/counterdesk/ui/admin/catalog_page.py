"""Admin product catalog: the current version's products, add/edit, import/export, versions, licences.

Rules, parsing and versioning live in counterdesk.services.catalog; this page only collects input and shows
what the core answered (including every problem of a refused import, with line and field). Every
core call runs off the UI thread through run_task.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counterdesk.base.text import Text
from counterdesk.services.catalog import versions
from counterdesk.services.catalog.products import (
    FIELD_LABELS,
    LICENCE_TYPES,
    LIQUIDITY,
    PRIVATE_CLASSES,
    PRIVATE_TYPES,
    PRODUCT_TYPES,
    RECORDING_TYPES,
    RISK_LEVELS,
    STATUSES,
    Product,
)
from counterdesk.ui import theme
from counterdesk.ui.admin.licences_dialog import LicencesDialog
from counterdesk.ui.widgets import fields
from counterdesk.ui.widgets.common import DialogHostPage, MessageLabel, error_text
from counterdesk.ui.widgets.context import AppContext
from counterdesk.ui.widgets.core_dialog import CoreDialog
from counterdesk.ui.widgets.tasks import run_task

FIX_MARKED = Text("请更正标出的各项后再保存。", "Correct the marked fields, then save again.")
NEW_FIELDS = ("premium_payment_years", "annual_premium", "distributor_rated_by", "distributor_rated_on",
              "issuer_risk_level", "issuer_rated_by", "issuer_rated_on")


class ProductDialog(CoreDialog):
    """Add a product, or edit one of the current version (the code of an existing product is fixed).
    Saving creates a new catalog version; the core validates with the same rules as an import."""

    def __init__(self, ctx: AppContext, product: Product | None = None, parent: QWidget | None = None):
        super().__init__(ctx, "product_dialog", parent)
        self.product = product
        lang = ctx.lang
        self.code = fields.line_edit("product_code")
        self.name_zh, self.name_en = fields.line_edit("product_name_zh"), fields.line_edit("product_name_en")
        self.type = fields.combo("product_type", PRODUCT_TYPES, lang)
        self.risk = fields.combo("product_risk", RISK_LEVELS, lang)
        self.issuer = fields.line_edit("product_issuer")
        self.term = fields.line_edit("product_term", "")
        self.min_amount = fields.line_edit("product_min_amount")
        self.currency = fields.line_edit("product_currency")
        self.currency.setText("CNY")
        self.liquidity = fields.combo("product_liquidity", LIQUIDITY, lang)
        self.sale_start, self.sale_end = (fields.line_edit("product_sale_start", "YYYY-MM-DD"),
                                          fields.line_edit("product_sale_end", "YYYY-MM-DD"))
        self.sale_start.setText(date.today().isoformat())
        self.public = QCheckBox()
        self.public.setObjectName("product_public")
        self.private_class = fields.combo("product_private_class", PRIVATE_CLASSES, lang, blank=True)
        self.protected = QCheckBox()
        self.protected.setObjectName("product_principal_protected")
        self.cooling = QSpinBox()
        self.cooling.setObjectName("product_cooling_off")
        self.cooling.setRange(0, 720)
        self.recording = QCheckBox()
        self.recording.setObjectName("product_recording")
        self.licence = fields.combo("product_licence", LICENCE_TYPES, lang, blank=True)
        self.periodic = QCheckBox()
        self.periodic.setObjectName("product_periodic")
        self.status = fields.combo("product_status", STATUSES, lang)
        # Catalog 2026 (migration 0016): payment years and premium for insurance, and both risk ratings
        # with who rated them and when (the higher applies, NFRA Order 2025 No. 7).
        self.payment_years = fields.line_edit("product_premium_payment_years")
        self.annual_premium = fields.line_edit("product_annual_premium")
        self.distributor_rated_by = fields.line_edit("product_distributor_rated_by")
        self.distributor_rated_on = fields.line_edit("product_distributor_rated_on", "YYYY-MM-DD")
        self.issuer_risk = fields.combo("product_issuer_risk_level", RISK_LEVELS, lang, blank=True)
        self.issuer_rated_by = fields.line_edit("product_issuer_rated_by")
        self.issuer_rated_on = fields.line_edit("product_issuer_rated_on", "YYYY-MM-DD")
        self.note = fields.line_edit("product_note")
        self.widgets: dict[str, QWidget] = {
            "code": self.code, "name_zh": self.name_zh, "name_en": self.name_en, "type": self.type,
            "risk_level": self.risk, "issuer": self.issuer, "term_days": self.term, "min_amount": self.min_amount,
            "currency": self.currency, "liquidity": self.liquidity, "sale_start": self.sale_start,
            "sale_end": self.sale_end, "public": self.public, "private_class": self.private_class,
            "principal_protected": self.protected, "cooling_off_hours": self.cooling,
            "recording_required": self.recording, "licence_required": self.licence,
            "periodic_premium": self.periodic, "status": self.status,
            "premium_payment_years": self.payment_years, "annual_premium": self.annual_premium,
            "distributor_rated_by": self.distributor_rated_by, "distributor_rated_on": self.distributor_rated_on,
            "issuer_risk_level": self.issuer_risk, "issuer_rated_by": self.issuer_rated_by,
            "issuer_rated_on": self.issuer_rated_on, "note": self.note}
        self.problem_fields = dict(self.widgets)
        self.labels = self.add_fields(list(self.widgets.values()))
        self.field_problems = self._problem_labels()
        self._two_columns()
        self.type.currentIndexChanged.connect(self._type_defaults)
        if product is not None:
            self._load(product)
            self.code.setReadOnly(True)
        else:
            self._type_defaults()
        self.finish_layout()
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Edit product") if self.product else self.tr("Add product"))
        texts = (self.tr("&Code"), self.tr("Chinese &name"), self.tr("English n&ame"), self.tr("&Type"),
                 self.tr("&Risk level"), self.tr("&Issuer"), self.tr("Term (days, empty = open-ended)"),
                 self.tr("&Minimum amount"), self.tr("Currenc&y (ISO 4217)"), self.tr("&Liquidity"),
                 self.tr("Sale &start"), self.tr("Sale &end (empty = no end)"), self.tr("&Public offering"),
                 self.tr("Pri&vate class"), self.tr("Principal protecte&d"), self.tr("C&ooling-off (hours)"),
                 self.tr("Dual recordin&g required"), self.tr("Licence re&quired"), self.tr("Periodic premium"),
                 self.tr("Stat&us"))
        # The 2026 fields are labelled with the core's field names (the same words as its messages).
        texts += tuple(FIELD_LABELS[k].get(self.ctx.lang) for k in NEW_FIELDS)
        texts += (self.tr("Note (for the version list)"),)
        for label, text in zip(self.labels, texts):
            label.setText(text)
        self.set_button_texts(self.tr("Save as new catalog version"), self.tr("Cancel"))

    def _type_defaults(self) -> None:
        # Sensible defaults when the type changes on a new product; the core still checks every rule.
        if self.product is not None:
            return
        ptype = self.type.currentData()
        private = ptype in PRIVATE_TYPES
        self.public.setChecked(not private)
        self.recording.setChecked(ptype in RECORDING_TYPES)
        self.protected.setChecked(ptype == "structured_deposit")
        self.cooling.setValue(max(24, self.cooling.value()) if private else 0)

    def _problem_labels(self) -> dict[str, QLabel]:
        """A hidden error line under each field, for the core's problem with that field."""
        form = self._form()
        out: dict[str, QLabel] = {}
        for key, widget in reversed(list(self.widgets.items())):  # bottom up: inserting shifts the rows below
            label = QLabel()
            label.setObjectName(f"product_{key}_problem")
            label.setWordWrap(True)
            theme.set_role(label, "error")
            label.hide()
            row, _role = form.getWidgetPosition(widget)
            form.insertRow(row + 1, "", label)
            out[key] = label
        return out

    def _form(self) -> QFormLayout:
        return next(self.body.itemAt(i).layout() for i in range(self.body.count())
                    if isinstance(self.body.itemAt(i).layout(), QFormLayout))

    def _two_columns(self) -> None:
        """The 2026 fields in a second column, so that the dialog fits a 1366×768 screen."""
        left, right = self._form(), QFormLayout()
        for key in NEW_FIELDS:
            row, _role = left.getWidgetPosition(self.widgets[key])
            for _line in range(2):  # the field's row, then its problem line
                taken = left.takeRow(row)
                label = taken.labelItem.widget() if taken.labelItem is not None else None
                if label is not None:
                    right.addRow(label, taken.fieldItem.widget())
                else:
                    right.addRow(taken.fieldItem.widget())
        index = next(i for i in range(self.body.count()) if self.body.itemAt(i).layout() is left)
        self.body.removeItem(left)
        left.setParent(None)
        top = QVBoxLayout()  # the short column stays at the top
        top.addLayout(right)
        top.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addSpacing(16)
        columns.addLayout(top, 1)
        self.body.insertLayout(index, columns)
        self._columns = (left, right)  # keep the Python wrappers (and so the layouts) alive

    def show_problems(self, problems) -> None:
        """Each of the core's problems beside its field (marked invalid); none: all cleared."""
        lang = self.ctx.lang
        by_field: dict[str, list[str]] = {}
        for p in problems:
            by_field.setdefault(p.field, []).append(p.message(lang))
        for key, label in self.field_problems.items():
            found = by_field.get(key, [])
            label.setText("\n".join(found))
            label.setVisible(bool(found))
            theme.set_state(self.widgets[key], "invalid" if found else "")

    def _failed(self, exc: BaseException) -> None:
        result = getattr(exc, "result", None)
        problems = result.errors() if result is not None else []
        self.show_problems(problems)
        super()._failed(exc)
        # Each problem is beside its field: the message below says only what has no field here.
        elsewhere = [p.message(self.ctx.lang) for p in problems if p.field not in self.field_problems]
        if problems:
            self.message.show_error("\n".join(elsewhere) or FIX_MARKED.get(self.ctx.lang))

    def _load(self, p: Product) -> None:
        row = p.to_row()
        for key in ("code", "name_zh", "name_en", "issuer", "term_days", "min_amount", "currency", "sale_start",
                    "sale_end", "premium_payment_years", "annual_premium", "distributor_rated_by",
                    "distributor_rated_on", "issuer_rated_by", "issuer_rated_on"):
            self.widgets[key].setText(row[key])
        for key, value in (("type", p.type), ("risk_level", p.risk_level), ("liquidity", p.liquidity),
                           ("private_class", p.private_class or ""), ("licence_required", p.licence_required),
                           ("status", p.status), ("issuer_risk_level", p.issuer_risk_level or "")):
            combo = self.widgets[key]
            combo.setCurrentIndex(max(0, combo.findData(value)))
        self.public.setChecked(p.public)
        self.protected.setChecked(p.principal_protected)
        self.recording.setChecked(p.recording_required)
        self.periodic.setChecked(p.periodic_premium)
        self.cooling.setValue(p.cooling_off_hours)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, w in self.widgets.items():
            if key == "note":
                continue
            if isinstance(w, QLineEdit):
                out[key] = w.text()
            elif isinstance(w, QComboBox):
                out[key] = w.currentData()
            elif isinstance(w, QCheckBox):
                out[key] = w.isChecked()
            elif isinstance(w, QSpinBox):
                out[key] = w.value()
        return out

    def submit(self) -> None:
        vault, actor, values = self.ctx.vault, self.ctx.user, self.values()
        editing = self.product.code if self.product else None
        note = self.note.text()
        code = values["code"].strip()
        self.run(lambda: versions.save_product(vault, actor, values, editing=editing, note=note), code,
                 self.tr("Product {code} saved; the catalog has a new version.").format(code=code))




class CatalogPage(DialogHostPage):
    loaded = Signal()      # the tables have been (re)filled
    changed = Signal()     # a new catalog version exists
    failed = Signal(str)   # an operation failed; the message is shown on the page

    COLUMNS = 7

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.catalog: versions.Catalog | None = None
        self.version_rows: list[versions.CatalogVersionInfo] = []
        self.shown_version: int | None = None  # None: the current version
        self.dialog: QDialog | None = None
        self._generation = 0
        self._busy = False

        self.title = QLabel()
        theme.set_role(self.title, "page-title")
        self.version_label = QLabel()
        self.version_label.setObjectName("catalog_version_label")
        self.filter = fields.line_edit("catalog_filter")
        self.filter.textChanged.connect(self._apply_filter)
        self.table = fields.table("catalog_table", self.COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_actions)
        self.table.doubleClicked.connect(self.open_edit)
        self.versions_title = QLabel()
        self.versions_table = fields.table("catalog_versions", 6)
        self.versions_table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.versions_table.setMaximumHeight(160)
        self.versions_table.doubleClicked.connect(self._show_selected_version)

        def button(name: str, slot) -> QPushButton:
            b = QPushButton()
            b.setObjectName(name)
            b.clicked.connect(slot)
            return b
        self.add_button = button("catalog_add", self.open_add)
        self.edit_button = button("catalog_edit", self.open_edit)
        self.import_button = button("catalog_import", self.choose_import)
        self.export_button = button("catalog_export", self.choose_export)
        self.licences_button = button("catalog_licences", self.open_licences)
        self.current_button = button("catalog_show_current", self.show_current)
        self.refresh_button = button("catalog_refresh", self._manual_refresh)
        row = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.import_button, self.export_button, self.licences_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        filter_row = QHBoxLayout()
        self.filter_label = QLabel()
        self.filter_label.setBuddy(self.filter)
        filter_row.addWidget(self.filter_label)
        filter_row.addWidget(self.filter, 1)
        filter_row.addWidget(self.version_label)
        filter_row.addWidget(self.current_button)
        self.message = MessageLabel()
        self.message.setObjectName("catalog_message")
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addLayout(row)
        lay.addLayout(filter_row)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.message)
        lay.addWidget(self.versions_title)
        lay.addWidget(self.versions_table)
        self.retranslate()
        self._update_actions()

    # ---- texts -----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Product catalog"))
        self.table.setHorizontalHeaderLabels([self.tr("Code"), self.tr("Name"), self.tr("Type"), self.tr("Risk"),
                                              self.tr("Minimum amount"), self.tr("Sale window"), self.tr("Status")])
        self.versions_table.setHorizontalHeaderLabels([self.tr("Version"), self.tr("Created"), self.tr("By"),
                                                       self.tr("Source"), self.tr("Products"), self.tr("Note")])
        self.versions_title.setText(self.tr("Catalog versions (double-click to view an earlier one)"))
        self.filter_label.setText(self.tr("&Filter:"))
        self.filter.setPlaceholderText(self.tr("code, name, issuer, type or risk level"))
        self.add_button.setText(self.tr("Add product…"))
        self.add_button.setToolTip(self.tr("Add a product (Ins)"))
        self.edit_button.setText(self.tr("Edit…"))
        self.import_button.setText(self.tr("Import…"))
        self.import_button.setToolTip(self.tr("Import a CSV or JSON catalog file; all rows must be valid"))
        self.export_button.setText(self.tr("Export…"))
        self.licences_button.setText(self.tr("Licences…"))
        self.licences_button.setToolTip(self.tr("Staff licences required to sell products"))
        self.current_button.setText(self.tr("Show current"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.refresh_button.setToolTip(self.tr("Reload the catalog (F5)"))
        self.add_button.setShortcut(QKeySequence(Qt.Key.Key_Insert))
        self.refresh_button.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self._fill()
        self._fill_versions()

    # ---- loading ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._generation += 1
        gen, vault, actor, number = self._generation, self.ctx.vault, self.ctx.user, self.shown_version

        def read():
            cat = (versions.catalog_at(vault, actor, number) if number is not None
                   else versions.current_catalog(vault, actor))
            return cat, versions.list_versions(vault, actor)
        run_task(self, read, lambda result: self._loaded(gen, result), self._show_error)

    def _manual_refresh(self) -> None:
        self.message.clear_message()
        self.refresh()

    def _loaded(self, gen: int, result) -> None:
        if gen != self._generation:
            return
        self.catalog, self.version_rows = result
        self._fill()
        self._fill_versions()
        self._update_actions()
        self.loaded.emit()

    def show_version(self, number: int | None) -> None:
        """Show an earlier version read-only (None: back to the current one)."""
        current = self.version_rows[0].number if self.version_rows else None
        self.shown_version = None if number == current else number
        self.refresh()

    def show_current(self) -> None:
        self.show_version(None)

    def _show_selected_version(self) -> None:
        rows = self.versions_table.selectionModel().selectedRows()
        if rows:
            self.show_version(self.version_rows[rows[0].row()].number)

    def _fill(self) -> None:
        lang = self.ctx.lang
        products = list(self.catalog.products) if self.catalog else []
        self.table.setRowCount(len(products))
        for r, p in enumerate(products):
            end = p.sale_end.isoformat() if p.sale_end else "…"
            cells = [p.code, p.name(lang), PRODUCT_TYPES[p.type].get(lang), p.risk_level,
                     f"{p.min_amount:,.2f} {p.currency}", f"{p.sale_start.isoformat()} – {end}",
                     STATUSES[p.status].get(lang)]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, p.code)
                if c == 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        if self.catalog is None or self.catalog.version is None:
            self.version_label.setText(self.tr("No catalog loaded yet"))
        elif self.shown_version is None:
            self.version_label.setText(self.tr("Current version {n}").format(n=self.catalog.version.number))
        else:
            self.version_label.setText(self.tr("Earlier version {n} (read-only)").format(n=self.catalog.version.number))
        self._apply_filter()

    def _fill_versions(self) -> None:
        sources = {"import": self.tr("Import"), "gui": self.tr("Edited")}
        self.versions_table.setRowCount(len(self.version_rows))
        for r, v in enumerate(self.version_rows):
            source = sources.get(v.source, v.source)
            if v.file_name:
                source = f"{source}: {v.file_name}"
            cells = [str(v.number), v.created_at[:16].replace("T", " "), v.created_by, source, str(v.products), v.note]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 3 and v.sha256:
                    item.setToolTip("SHA-256: " + v.sha256)
                self.versions_table.setItem(r, c, item)

    def _apply_filter(self) -> None:
        needle = self.filter.text().strip().casefold()
        products = list(self.catalog.products) if self.catalog else []
        for r, p in enumerate(products):
            hay = " ".join([p.code, p.name_zh, p.name_en, p.issuer, p.type, p.risk_level,
                            PRODUCT_TYPES[p.type].zh, PRODUCT_TYPES[p.type].en]).casefold()
            self.table.setRowHidden(r, bool(needle) and needle not in hay)

    def visible_codes(self) -> list[str]:
        return [self.table.item(r, 0).text() for r in range(self.table.rowCount()) if not self.table.isRowHidden(r)]

    def selected_product(self) -> Product | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or self.catalog is None:
            return None
        code = self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return self.catalog.get(code)

    def select_code(self, code: str) -> bool:
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).text() == code:
                self.table.selectRow(r)
                return True
        return False

    def _update_actions(self) -> None:
        editable = not self._busy and self.shown_version is None
        self.add_button.setEnabled(editable)
        self.edit_button.setEnabled(editable and self.selected_product() is not None)
        self.import_button.setEnabled(not self._busy)
        self.export_button.setEnabled(not self._busy)
        self.current_button.setVisible(self.shown_version is not None)

    # ---- add / edit -------------------------------------------------------------------------------
    def _open(self, dialog: QDialog) -> QDialog:
        return self.open_dialog(dialog)

    def focus_after_dialog(self) -> QWidget:
        return self.table

    def open_add(self) -> ProductDialog | None:
        if self.shown_version is not None:
            return None
        dialog = ProductDialog(self.ctx, None, self)
        dialog.succeeded.connect(self._product_saved)
        return self._open(dialog)

    def open_edit(self, *_args) -> ProductDialog | None:
        product = self.selected_product()
        if product is None or self.shown_version is not None:
            return None
        dialog = ProductDialog(self.ctx, product, self)
        dialog.succeeded.connect(self._product_saved)
        return self._open(dialog)

    def _product_saved(self, text: str, code: str) -> None:
        self.message.show_info(text)
        self.changed.emit()
        self.refresh()

    def open_licences(self, user_id: str | None = None) -> LicencesDialog:
        return self._open(LicencesDialog(self.ctx, user_id or None, self))

    # ---- import / export --------------------------------------------------------------------------
    def choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import catalog"), "",
                                              self.tr("Catalog files (*.csv *.json);;All files (*)"))
        if path:
            self.import_file(path)

    def import_file(self, path: str | Path, merge: bool = False) -> None:
        if self._busy:
            return
        vault, actor = self.ctx.vault, self.ctx.user
        self._set_busy(True)
        self.message.clear_message()
        run_task(self, lambda: versions.import_file(vault, actor, path, merge=merge), self._imported, self._op_failed)

    def _imported(self, result: versions.CatalogImport) -> None:
        self._set_busy(False)
        lang = self.ctx.lang
        lines = [result.message.get(lang)] + [self.tr("Warning: {text}").format(text=w.message(lang))
                                              for w in result.warnings]
        self.message.show_info("\n".join(lines))
        self.shown_version = None
        if result.status == "imported":
            self.changed.emit()
        self.refresh()

    def choose_export(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(self, self.tr("Export catalog"), "catalog.csv",
                                                   self.tr("CSV (*.csv);;JSON (*.json)"))
        if path:
            self.export_file(path, "json" if path.lower().endswith(".json") or "json" in chosen.lower() else "csv")

    def export_file(self, path: str | Path, fmt: str | None = None) -> None:
        if self._busy:
            return
        vault, actor, number = self.ctx.vault, self.ctx.user, self.shown_version
        self._set_busy(True)
        self.message.clear_message()
        run_task(self, lambda: versions.export_file(vault, actor, path, fmt=fmt, number=number), self._exported,
                 self._op_failed)

    def _exported(self, result: versions.ExportResult) -> None:
        self._set_busy(False)
        self.message.show_info(result.message.get(self.ctx.lang))
        self.loaded.emit()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_actions()

    def _op_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._show_error(exc)

    def _show_error(self, exc: BaseException) -> None:
        text = error_text(exc, self.ctx.lang)
        self.message.show_error(text)
        self.failed.emit(text)
