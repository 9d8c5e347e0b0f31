from models_py.cli import main

raise SystemExit(main())
