"""
A linkaudit writer in its own process, for the concurrency and crash tests.

    python writer.py DB LABEL COUNT [--no-finish]

Saves COUNT results of URLs ``https://LABEL-<i>.example/`` as one run and prints
``saved <i>`` after each commit, so the test knows what is durable.
"""

from __future__ import annotations

import sys

from linkaudit.config import Settings
from linkaudit.models import Result
from linkaudit.store import Store
from linkaudit.verdicts import Verdict


def main(argv: list[str]) -> int:
    path, label, count = argv[0], argv[1], int(argv[2])
    settings = Settings()
    with Store.open(path) as store:
        run = store.begin_run(argv, "writer")
        for i in range(count):
            verdict = Verdict.OK if i % 3 else Verdict.UNREACHABLE
            url = f"https://{label}-{i}.example/"
            store.save_result(run, Result(url=url, verdict=verdict, reason="x"), settings)
            print(f"saved {i}", flush=True)
        if "--no-finish" not in argv:
            store.finish_run(run, {"urls": count})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
