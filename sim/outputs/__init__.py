"""Outputs of a study: figures, report.html, and the parameter table of docs/model.md.

Imports the study and engine layers below it; the command line and the app sit above it.
"""
