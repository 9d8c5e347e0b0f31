"""`python -m models_py`: the command line (models_py.cli)."""

from models_py.cli import main

raise SystemExit(main())
