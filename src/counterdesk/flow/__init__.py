"""Multi-step flows (the counter session) as Qt-free engines; the UI maps steps to pages."""
