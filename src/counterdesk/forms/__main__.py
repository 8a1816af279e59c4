"""python -m counterdesk.forms: print id, kind and content hash of every bundled form version."""
from counterdesk.forms.registry import main

if __name__ == "__main__":
    main()
