"""Comptoir: a self-hosted help desk."""

__version__ = "0.1.0"
