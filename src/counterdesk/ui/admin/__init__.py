"""The administrator's and auditor's pages: users, catalog, settings, audit log, sync with the hub."""
