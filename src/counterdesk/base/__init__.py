"""The small base every layer uses: bilingual text and errors, roles, settings, paths, atomic files,
logs, the branch's time, the signed-in user as the core sees it."""
