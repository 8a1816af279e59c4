"""CounterDesk: counter-sales desktop application for bank branches."""

__version__ = "0.1.0"
