"""What an obligation is: rules and their shapes, periods, the China calendar, the config schema.

Everything in this package is pure: rules + roster + calendar + now → occurrences.
"""
