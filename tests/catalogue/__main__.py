"""Write the bundled example submissions: ``python -m tests.catalogue``."""

from pathlib import Path

import nbformat

from . import example_submissions

ROOT = Path(__file__).resolve().parents[2]

if __name__ == "__main__":
    target = ROOT / "examples" / "submissions"
    for relpath, nb in example_submissions(ROOT).items():
        path = target / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        print(f"wrote {path.relative_to(ROOT)}")
