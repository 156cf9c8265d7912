"""``python -m scheduler.cli`` is ``zhibu``."""

from scheduler.cli import main

main()
