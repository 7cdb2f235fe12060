"""Taking county ledgers (台账) in as they are, and giving them back in the same shape."""
