"""Ticket forms: ``portal`` for customers, ``agent`` for the workspace."""
