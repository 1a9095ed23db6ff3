"""The database schema the seeder works from: tables, typed columns, keys, parsed checks, fill order."""
