from orchestration.corrections.cli import main

raise SystemExit(main())
