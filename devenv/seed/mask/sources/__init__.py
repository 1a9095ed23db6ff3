"""Where masked data is read from (a SQL dump, a CSV folder or a database), never written to."""
