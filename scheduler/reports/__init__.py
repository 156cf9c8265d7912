"""Reports and every output a secretary hands on: tables, CSV, JSON, the year at a glance (HTML),
the 台账 workbook (xlsx) and the iCalendar file."""
