"""HTTP routes: the ``v1``, ``v2`` and ``realworld`` faces, the health check, the Atom feeds
(``feeds``), the OpenAPI documents and docs page (``docs``), and the optional reference
frontend (``frontend``)."""
