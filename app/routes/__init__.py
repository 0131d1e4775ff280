"""HTTP routes: the ``v1`` and ``v2`` blueprints, the health check, the OpenAPI documents and
docs page (``docs``), and the optional reference frontend (``frontend``)."""
