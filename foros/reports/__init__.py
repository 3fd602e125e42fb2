"""Reports: the event report ("informe"), a PDF built from the sections that each domain registers."""
