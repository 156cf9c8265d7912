"""``python -m scheduler.cli`` is ``zhibu``."""

from scheduler.console import main

main()
