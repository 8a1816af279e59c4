"""Sanctions lists and screening (Qt-free core).

    parsers/    read the published list formats into ParsedList values (no database)
    lists.py    import into the encrypted store (all-or-nothing), list, supersede, staleness
    normalise.py, index.py, matcher.py   name normalisation, candidate blocking, scoring
    screening.py   screen a subject, store the snapshot; disposition.py   supervisor decisions

Import the submodules directly; this package module stays light so the GUI starts fast.
"""
