"""The branch's figures for the supervisor's dashboard and the teller's home (issue 15, items 5-6).

Every figure is an aggregate of the store's own tables: ``scope`` decides who may see which teller's
figures (a teller only their own, refused in the core); ``daily`` keeps per-day, per-teller
aggregates of closed days (invalidated by triggers whenever a source row of that day changes) and
``rollup`` sums them with today's figures computed live; ``sessions``/``steps``/``holds``/``sales``/
``complaints`` each read one area from the source rows, ``scores`` the evaluation scores over time;
``figures`` runs them together in one read, ``today`` is the teller's home, ``export`` and ``pdf``
write what a page shows.
"""
