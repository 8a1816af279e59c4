"""Forms as data: versioned definitions with a content hash, one generic validator for answers.

A definition (``definitions/<id>_v<version>.json``) drives the screen, the paper and the store: the
store keeps the answers with the form id, version and hash, so the exact wording a customer saw is
always recoverable. See ``definition`` for the format, ``answers`` for the rules engine.
"""
from counterdesk.forms.answers import check_answers, evaluate, normalise_answers, stop_problems, validate_answers
from counterdesk.forms.choices import choices
from counterdesk.forms.definition import (
                                          Check,
                                          Condition,
                                          Field,
                                          Form,
                                          FormDefinitionError,
                                          Option,
                                          OptionStop,
                                          Section,
                                          content_hash,
)
from counterdesk.forms.registry import FormInfo, FormNotFound, list_forms, load_file, load_form, parse_definition

__all__ = [
                                          "Check",
                                          "Condition",
                                          "Field",
                                          "Form",
                                          "FormDefinitionError",
                                          "FormInfo",
                                          "FormNotFound",
                                          "Option",
                                          "OptionStop",
                                          "Section",
                                          "check_answers",
                                          "choices",
                                          "content_hash",
                                          "evaluate",
                                          "list_forms",
                                          "load_file",
                                          "load_form",
                                          "normalise_answers",
                                          "parse_definition",
                                          "stop_problems",
                                          "validate_answers",
]
