"""Names vulture takes for dead code and that are not (read by vulture only, never imported).

`nox -s lint` runs `vulture src/linkaudit vulture_whitelist.py --min-confidence 80`; this
list is kept complete down to 60% so that `--min-confidence 60` is clean too. Add a name
here only with the reason it is alive; delete dead code instead of listing it.
"""

# ruff: noqa
# fmt: off

# Called by a library through a protocol or by name.
handle_startendtag  # html.parser.HTMLParser callback (anchors.py)
__getattr__  # module-level lazy attributes (PEP 562, check/__init__.py)
_.convert  # click.ParamType.convert (cli.py)
fix  # a click command, registered by its decorator (cli.py)
_.linkify  # markdown-it-py reads md.linkify (extract/markdown.py)
_.validateLink  # markdown-it-py calls md.validateLink (extract/markdown.py)
schema  # LinkifyMatch field markdown-it-py reads (extract/text.py)
_.match_at_start  # the linkify interface markdown-it-py calls (extract/text.py)
frame  # signal handler signature (run/interrupts.py)
_._value_  # IntEnum member value set in __new__ (gate.py)

# Migrations, registered by sqlite_utils' @migrations() decorator (store/schema.py).
m001_tables
m002_history
m003_views
m004_archive_lookups
m005_extraction_reuse
m006_doi
m007_drift
m008_url_identity

# Enum members and dataclass fields that are data (reports, exit codes, JSON).
restricted  # report/health_figures.py HealthFigures fields, written out whole
invalid
_.buffered  # check/dispatch.py, read by tests
HANGUP  # gate.ExitCode: exits through 128 + signal number
TERMINATED
RST  # models: a document format
HTTP_STATUS  # verdicts.Reason: the reason http_<status> codes share

# Unused today, in modules other engineers were changing when vulture was added (#17.6):
# candidates to delete once that work has landed.
_.holds  # extract/_pdfium.py
throttled  # check/hosts.py: a per-host counter nothing reads
_.throttled
_.sent  # check/soft404.py: a counter nothing reads
_.restore  # run/interrupts.py: the counterpart of install()
_.cached_result  # store/database.py: the single-URL form of cached_results
_.call  # run/storethread.py
_Annotation  # report/github.py
