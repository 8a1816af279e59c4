"""The supervisor's pages: screening reviews and sign-off approvals."""
