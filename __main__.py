"""HarborList monitoring: the Pulumi program. The work is in `components/`."""

from components.program import main

main()
