"""The configuration file: schema (``schema``), loading and validation with located errors
(``load``), and the few settings light commands read without validating (``essentials``)."""
