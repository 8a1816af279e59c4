"""The installation and who may open it: install.json, key slots (the database key wrapped per
user), password rules, the sign-in lockout, and the opened vault (database, settings, sign-in)."""
