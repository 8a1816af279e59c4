"""Selling: turning stored customer, assessment and catalog data into suitability decisions, and
recording the decision with the counter session."""
