"""Article enrichment, as a library the enricher service and ``warta enrich`` share.

- :mod:`~warta.enrichment.pipeline` — ``Enricher``: ArticleFetched → ArticleEnriched, ``EnrichmentError``
- :mod:`~warta.enrichment.boilerplate` — ``clean_text``, ``split_title``
- :mod:`~warta.enrichment.language` — ``detect_language`` (ISO 639-1, id vs ms, ``und``)
- :mod:`~warta.enrichment.entities` — ``extract_entities``
- :mod:`~warta.enrichment.topics` — ``classify_topics`` (IPTC Media Topics)
- :mod:`~warta.enrichment.keywords` — ``extract_keywords``
- :mod:`~warta.enrichment.signature` — ``signature``, ``similarity``, ``same_story``, ``is_duplicate``

Submodules are imported on demand: importing the package loads no model.
"""
