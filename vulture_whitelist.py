"""Names vulture takes for dead code and that are not (read by vulture only, never imported).

`nox -s lint` runs `vulture src/linkaudit vulture_whitelist.py --min-confidence 80`; this
list is kept complete down to 60% so that `--min-confidence 60` is clean too. Add a name
here only with the reason it is alive; delete dead code instead of listing it.
"""

# ruff: noqa
# fmt: off

# Called by a library through a protocol or by name.
handle_startendtag  # html.parser.HTMLParser callback (anchors.py)
__getattr__  # module-level lazy attributes (PEP 562, _lazy.lazy_names)
_.convert  # click.ParamType.convert (cli.py)
fix  # a click command, registered by its decorator (cli.py)
_.linkify  # markdown-it-py reads md.linkify (extract/markdown.py)
_.validateLink  # markdown-it-py calls md.validateLink (extract/markdown.py)
schema  # LinkifyMatch field markdown-it-py reads (extract/text.py)
_.match_at_start  # the linkify interface markdown-it-py calls (extract/text.py)
frame  # signal handler signature (run/interrupts.py)
_._value_  # IntEnum member value set in __new__ (choices.ExitCode)

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
HANGUP  # choices.ExitCode: exits through 128 + signal number
TERMINATED
RST  # models: a document format
HTTP_STATUS  # verdicts.Reason: the reason http_<status> codes share

# Read by tests, or set on a library's object for the library to read.
_.hosts_held  # check/dispatch.py, read by tests/check/test_dispatch_scale.py
_.tracked  # check/hosts.py, read by tests/check/test_dispatch_scale.py
_.evicted  # check/pool.py, read by tests/check/test_pool.py
_.is_closed  # httpx.Response.is_closed, set when check/client.py releases our body itself
_._uri_reference  # httpx.URL's parsed form, built by check/client.httpx_url
