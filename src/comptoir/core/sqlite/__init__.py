"""Comptoir's SQLite database backend (``ENGINE = "comptoir.core.sqlite"``)."""
