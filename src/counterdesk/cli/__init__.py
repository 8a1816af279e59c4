"""counterdesk-admin: the administration command line (``admin`` parses and dispatches; one module
per group of commands)."""
from counterdesk.cli.admin import main

__all__ = ["main"]
