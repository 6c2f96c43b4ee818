"""motcua: queue management for Vietnamese one-stop public-service centers."""

__version__ = "0.1.0"
