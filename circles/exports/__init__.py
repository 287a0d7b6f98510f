"""Files for organizers: attendance rows and summaries as CSV, XLSX or JSON Lines, written safely."""
