"""Encrypted local store: SQLCipher through SQLAlchemy, Alembic migrations, one writer thread."""
