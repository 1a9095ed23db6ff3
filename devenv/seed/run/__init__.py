"""One seeding or masking run inside an open transaction: plan, prepare the tables, fill them."""
