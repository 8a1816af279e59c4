"""Product catalog and staff licences (Qt-free core).

    products.py   product fields, enums with zh/en labels, row parsing and validation (no database)
    fileio.py     CSV / JSON catalog files: read with line numbers, write for export
    versions.py   the versioned catalog in the store: import (all-or-nothing), export, GUI edits
    licences.py   staff licences (持证上岗) and licence_ok()
    models.py     the tables (revision 0006)

Import the submodules directly; this package module stays light so the GUI starts fast.
"""
