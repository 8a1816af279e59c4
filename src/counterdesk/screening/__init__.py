"""Sanctions screening as pure rules: the published list formats, name normalisation, candidate
blocking and scoring. No database; the stored lists and screenings are counterdesk.services.sanctions."""
