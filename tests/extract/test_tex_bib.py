"""LaTeX anchor text as rendered and BibTeX read by its grammar (issue 20), case by case."""

from __future__ import annotations

import pytest

from linkaudit.config import Settings
from linkaudit.extract.bibtex import BibtexExtractor
from linkaudit.extract.latex import LatexExtractor, plain_text
from linkaudit.models import Occurrence, Source
from linkaudit.verdicts import Reason


def latex(source: str) -> list[Occurrence]:
    data = source.encode("utf-8")
    return (
        LatexExtractor().extract(Source("p.tex", data, "file:///d/p.tex"), Settings()).occurrences
    )


def bibtex(source: str) -> list[Occurrence]:
    data = source.encode("utf-8")
    return (
        BibtexExtractor().extract(Source("r.bib", data, "file:///d/r.bib"), Settings()).occurrences
    )


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        ("pages 10--20, 1---2", "pages 10–20, 1—2"),
        ("``quoted'' and `single' O'Brien", "“quoted” and ‘single’ O’Brien"),
        (r"caf\'e na\"ive {\ss} \& 50\% \_x \c{c}", "café naïve ß & 50% _x ç"),
        (r"\emph{Big} {\bf bold} \textbf{b}", "Big bold b"),
        (r"\LaTeX\ and \TeX{} rock", "LaTeX and TeX rock"),
        (r"a~b \ldots", "a b …"),
        ("{Nested {Title}}", "Nested Title"),
    ],
)
def test_plain_text_is_what_tex_typesets(tex: str, text: str) -> None:
    assert plain_text(tex) == text


def test_url_reads_as_its_target_and_href_as_its_rendered_text() -> None:
    found = latex(
        r"See \url{https://x.org/a\_b} and \href{https://x.org/r\#s}{the 2019--2020 ``report''}."
    )
    assert [(o.url, o.text) for o in found] == [
        ("https://x.org/a_b", "https://x.org/a_b"),
        ("https://x.org/r#s", "the 2019–2020 “report”"),
    ]


def test_macro_targets_expand_when_defined_and_are_malformed_when_not() -> None:
    found = latex(
        "\\newcommand{\\repo}{https://github.com/x/y}\n"
        "\\def\\site{https://x.org}\n"
        "\\href{\\repo/issues}{issues}, \\url{\\site/a} and \\href{\\someMacro}{elsewhere}.\n"
    )
    assert [(o.url, o.text, o.problem) for o in found] == [
        ("https://github.com/x/y/issues", "issues", None),
        ("https://x.org/a", "https://x.org/a", None),
        ("\\someMacro", "elsewhere", Reason.MALFORMED),
    ]


def test_code_chunks_and_verbatim_are_not_links() -> None:
    found = latex(
        "<<setup, echo=FALSE>>=\n"
        'download("\\url{https://code.example/1}")\n'
        "@\n"
        "\\begin{verbatim}\\url{https://code.example/2}\\end{verbatim}\n"
        "\\begin{lstlisting}\n\\url{https://code.example/3}\n\\end{lstlisting}\n"
        "\\begin{minted}{python}\n\\url{https://code.example/4}\n\\end{minted}\n"
        "\\verb|\\url{https://code.example/5}| and \\url{https://prose.example/}\n"
    )
    assert [(o.url, o.line) for o in found] == [("https://prose.example/", 11)]


BIB = r"""% Encoding: UTF-8
@string{base = "https://example.org/"}
@article{commented,
  title = {A {Nested {Title}} -- with dashes},
% url = {https://old.example.org/},
  url = {{https://example.org/a}},
  _internal = {kept out},
  doi = {doi:10.1000/xyz},
}
@misc{noted, title = "Noted", note = {Available at \url{https://example.org/n\_1}},
  howpublished = {\href{https://example.org/h}{site}; also https://example.org/bare.}}
@misc{joined, url = base # "g\#top", eprint = {2101.00001}, archivePrefix = {arXiv}}
@misc{broken, title = {Unclosed
@misc{after, url = {https://example.org/after}}
"""


def test_bibtex_entries_as_bibtex_reads_them() -> None:
    found = bibtex(BIB)
    assert [(o.url, o.context) for o in found] == [
        ("https://example.org/a", "commented, url"),
        ("https://doi.org/10.1000/xyz", "commented, doi"),
        ("https://example.org/n_1", "noted, note"),
        ("https://example.org/h", "noted, howpublished"),
        ("https://example.org/bare", "noted, howpublished"),
        ("https://example.org/g#top", "joined, url"),
        ("https://arxiv.org/abs/2101.00001", "joined, eprint"),
        ("https://example.org/after", "after, url"),
    ]
    assert found[0].text == "A Nested Title – with dashes"
    assert (found[0].line, found[1].line) == (6, 8)


def test_a_macro_with_arguments_that_wraps_a_link_links_where_it_is_used() -> None:
    """Class: a user macro built on ``\\url``/``\\href`` (``\\urlcite{url}{text}``). Its
    definition's ``\\url{#1}`` is no link; each use is, with its arguments put in."""
    found = latex(
        "\\newcommand{\\urlcite}[2]{#2\\footnote{\\url{#1}}}\n"
        "\\newcommand{\\site}[2][https://x.org]{\\href{#1/#2}{the #2 page}}\n"
        "\\def\\link#1#2{\\href{#1}{#2}}\n"
        "See \\urlcite{https://a.example/x}{A} and\n"
        "\\site{docs}, \\site[https://y.org]{faq} and \\link{https://b.example/}{B--C}.\n"
    )
    assert [(o.url, o.text, o.line) for o in found] == [
        ("https://a.example/x", "https://a.example/x", 4),
        ("https://x.org/docs", "the docs page", 5),
        ("https://y.org/faq", "the faq page", 5),
        ("https://b.example/", "B–C", 5),
    ]


def test_an_undefined_command_whose_argument_is_a_whole_url_typesets_that_url() -> None:
    """Class: the wrapper is defined in another file of the document (the preamble), so
    only its use is seen; an absolute URL as a whole argument is printed, so it is a link.
    Not links: a URL inside prose of an argument, a file or setting argument, a relative
    argument, and an argument-less macro's definition."""
    found = latex(
        "\\curlcite{https://codeocean.com}{CodeOcean} and \\footnote{see https://x.org/a here}\n"
        "\\includegraphics{https://img.example/p.png} \\purlcite{example.github.io}{site}\n"
        "\\def\\home{https://home.example/}\n"
    )
    assert [(o.url, o.text) for o in found] == [
        ("https://codeocean.com/", "https://codeocean.com"),
    ]


def test_a_doi_written_as_a_url_in_another_form_is_the_entry_s_doi() -> None:
    """Class: ADS and publisher exports put the entry's DOI in ``url`` as
    ``http://dx.doi.org/…`` or with escaped slashes (``10.1088%2F1742-…``): one link with
    the ``doi`` field's. Another URL of the entry, or another DOI, stays a link."""
    found = bibtex(
        "@article{a, doi = {10.21105/joss.01370}, url = {http://dx.doi.org/10.21105/JOSS.01370}}\n"
        "@article{b, doi = {10.1088/1742-6596/1225/1/012005},\n"
        "  url = {https://doi.org/10.1088%2F1742-6596%2F1225%2F1%2F012005}}\n"
        "@article{c, doi = {10.1/x}, url = {https://doi.org/10.1/y},\n"
        "  note = {\\url{https://example.org/c}}}\n"
    )
    assert [o.url for o in found] == [
        "https://doi.org/10.21105/joss.01370",
        "https://doi.org/10.1088/1742-6596/1225/1/012005",
        "https://doi.org/10.1/x",
        "https://doi.org/10.1/y",
        "https://example.org/c",
    ]
