"""The time-driven work of a tick: materialize tasks, sweep states, fire notices, compose digests,
deliver the outbox (:func:`scheduler.engine.tick.tick` runs them in that order)."""
