"""`make bench`: the hot paths of Pingan measured against raw-SQL baselines (issue 8).

Run it with ``python -m benchmarks`` (``make bench``); see ``benchmarks/README.md``.
"""
