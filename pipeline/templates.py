"""Site templates: paragraphs a publisher repeats on many of its own articles (``neardup.template``).

cc_net drops paragraphs whose hash is frequent across a crawl; here the count is restricted
to one site, because across sites the same paragraph is a quotation or syndication, which
stays. A paragraph is template on a site when it (or a near-copy at ``template_threshold``)
occurs in ``template_min_docs`` distinct *articles* of that site.

Articles, not documents: support counts every document of the site, including the copies
NearDup rejects as syndicated, but a copy counts as the kept article it duplicates. A
syndication host whose wrapper lines appear only on copies still shows them on three
articles, so the wrapper is found on the one copy that ends up kept; and one article that
a site republishes three times is still one article, so its body never becomes template.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from pipeline.minhash import SignatureTable
from pipeline.paragraphgroups import Groups


def site_templates(table: SignatureTable, groups: Groups, docs_of: dict[int, set[int]],
                   article_of: Callable[[int], int], min_docs: int) -> dict[int, set[int]]:
    """Per document, the paragraph groups that are template text on its site.

    ``docs_of`` lists every document holding each group; ``article_of`` maps a document to
    the article it stands for (a rejected copy to the kept one). Documents without a site
    never count.
    """
    found: dict[int, set[int]] = defaultdict(set)
    for g, own in docs_of.items():
        members = set(own).union(*(docs_of.get(n, set()) for n in groups.template_neighbours.get(g, ())))
        if len(members) < min_docs:
            continue
        per_site: dict[str, set[int]] = defaultdict(set)
        for d in members:
            if table.doc_sites[d]:
                per_site[str(table.doc_sites[d])].add(article_of(d))
        for d in own:
            if len(per_site.get(str(table.doc_sites[d]), ())) >= min_docs:
                found[d].add(g)
    return found
