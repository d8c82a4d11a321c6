"""Renderings of findings. Each format is a function of the same records (``CheckResult``)."""
