"""The course report: every chapter's runs, and one page of their numbers beside the course's.

``python -m experiments.report --workdir=W`` (``__main__.py``). Chapters register in
``experiments/chNN_<word>/report.py`` (``registry``); ``runner`` runs them, ``page`` renders
``W/report.md`` and ``W/report.html``.
"""
