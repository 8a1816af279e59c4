"""The PySide6 front end. Thin: it copies widget values into the core and shows what comes back."""
