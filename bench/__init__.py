"""Benchmarks and measured figures; each prints its numbers, none asserts timings."""
