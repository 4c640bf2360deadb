"""The benchmark suite: each case times our code against the equivalent raw SQL, in the same run.

``python manage.py bench --rows N`` runs every case in a throwaway database (database.py)
and prints one line per case::

    NAME: ours=SECONDS raw=SECONDS ratio=R target<=T

A case is a module of this package with ``run(rows)``. It returns an object (or dict)
with ``ours_seconds`` and ``raw_seconds`` (``ours``/``raw`` also accepted, and an
optional ``target``); the suite computes the ratio and prints the line. A case module
that does not exist yet prints ``NAME: skipped (not built yet)``, so the suite always
runs. Cases find the throwaway database through ``bench.database.current()`` and share
synthetic data through ``bench.data``.
"""
