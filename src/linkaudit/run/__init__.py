"""
A check run, joining the stages: the one package that knows every stage.

    pipeline     documents → occurrences → distinct URLs → check → classify → archive
                 → store → report (``check``, ``check_async``, ``run_check``)
    remote       the network half: observations classified, enriched and saved as they
                 arrive; imported only by a run with something to fetch
    local        the local half: file: URLs observed on disk as each document is read
    feed         reads the documents in a worker thread while the checker works
    state        one run's state: where results go, what it has learnt, who hears of it
    storethread  the run's store behind a writer and a reader thread
    interrupts   SIGINT, SIGTERM and SIGHUP stop a run and keep what it checked
    files        reports written whole or not at all
    stored       reports from the store alone (a past run, changes, history, health)

The stages below never import this package (``tests/test_architecture.py``).
"""
