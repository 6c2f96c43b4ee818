"""Subcommands of the ``motcua`` command line, one module per feature."""
