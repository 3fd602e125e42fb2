"""Joint declarations (issue 15): documents and versions, signatories, electronic and in-person signing, the
sealed final PDF, public verification, the tracking board and the municipal process."""
