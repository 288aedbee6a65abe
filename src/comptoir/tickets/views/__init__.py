"""Ticket pages: ``portal`` for customers, ``agent`` for the workspace."""
