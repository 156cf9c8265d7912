"""``zhibu run``: the timer, the per-tick child process, systemd notification and logs."""
