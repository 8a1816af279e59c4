"""The branch's figures for the supervisor's dashboard and the teller's home (issue 15, items 5-6).

Every figure is an aggregate computed by SQLite over the store's own tables (no copies, no caches):
``scope`` decides who may see which teller's figures (a teller only their own, refused in the core),
``sessions``/``steps``/``holds``/``sales``/``complaints`` each read one area, ``figures`` runs them
together in one read, ``today`` is the teller's home, ``export`` and ``pdf`` write what a page shows.
"""
