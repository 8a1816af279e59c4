"""The DEMO month of counter figures (counterdesk.services.demo_history), for the dashboard's and the
teller's home's tests."""
from counterdesk.services.demo_history import DAYS, EXTRA_TELLERS, Month, _moment, iso, seed_month

__all__ = ["DAYS", "EXTRA_TELLERS", "Month", "_moment", "iso", "seed_month"]
