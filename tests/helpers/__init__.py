"""Shared test helpers: the demo users (demo), a counter session through the core (counter), and the
real widgets driven the way a teller, a customer or a supervisor would (gui, window)."""
