import sys

from extractors.demo.server import main

sys.exit(main())
