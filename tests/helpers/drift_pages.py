"""The pages of the drift fixture pairs (tests/test_drift.py, benchmarks/bench_main_text.py)."""

from __future__ import annotations

ARTICLE = (
    "The committee projects federal deficits averaging 3.1 percent of output over the coming "
    "decade, driven mostly by rising interest costs on the public debt. Revenue stays roughly "
    "flat as a share of the economy, while spending on health programmes grows faster than "
    "wages. The report warns that allyshoring of critical supply chains will raise prices "
    "for consumers in the short run but reduce exposure to economic retaliation. It names "
    "semiconductors, batteries and pharmaceuticals as the sectors most affected by the change."
)
EDITED = ARTICLE.replace("3.1 percent", "3.4 percent").replace(
    "It names semiconductors", "An update in May names rare earths, semiconductors"
)
OTHER = (
    "Our new campaign celebrates local food producers with weekly markets in every district. "
    "Subscribe to the newsletter for recipes, seasonal offers and invitations to tastings."
)


def page(title: str, text: str, chrome: str = "old") -> str:
    nav = f"<nav>{chrome} menu: Home About Contact Donate</nav>"
    foot = f"<footer>{chrome} footer © 2021 All rights reserved</footer>"
    return (
        f"<html><head><title>{title}</title><script>var x = 1;</script></head><body>"
        f"{nav}<main><h1>{title}</h1><p>{text}</p></main>{foot}</body></html>"
    )
