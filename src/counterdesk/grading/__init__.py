"""Grading the risk questionnaire (C1-C5) as pure rules: contradictions, the lowest category, validity."""
