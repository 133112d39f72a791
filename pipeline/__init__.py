"""newsclean: turn scraped news into clean article text, as a chain of Luigi tasks."""

__version__ = "0.1.0"
