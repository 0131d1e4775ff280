"""Development server: ``python run.py`` (use gunicorn in production)."""

import os

from app import create_app

app = create_app()

if __name__ == "__main__":
    port = int(os.getenv("PORT", "5000"))
    print(f" * Blog API on http://127.0.0.1:{port}/  (docs: /docs, health: /health)")
    app.run(host=os.getenv("HOST", "127.0.0.1"), port=port)
