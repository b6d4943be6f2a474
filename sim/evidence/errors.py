"""The one error type the evidence commands report to users (one line, exit status 2)."""


class EvidenceError(ValueError):
    """Bad input to ``evidence`` or ``calibrate``: one line, exit status 2."""
