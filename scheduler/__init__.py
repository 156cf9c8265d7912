"""The engine around the rules: clock, store, materialize, sweep, tick, daemon and CLI."""
