"""``python -m models_py.continuation``: evaluate on the warehouse and print the table."""

from models_py.continuation.task import main

raise SystemExit(main())
