from oneclass.cli import main

raise SystemExit(main())
