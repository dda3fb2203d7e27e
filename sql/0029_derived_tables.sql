-- 0029: derived park tables, recomputed rather than written by hand, are not audited
-- row by row.
--
-- A utility period's lines (utility_charge) and its leases' totals (utility_period_lease)
-- are what utility_period_calculate derives from audited rows: the readings, the meters,
-- the sharing rules, the tariffs, the leases. Recalculating a month of 100,000 meters
-- replaced 400,000 rows and wrote 800,000 audit rows each time (two minutes, and an
-- audit trail no one reads: every line is the period's function of its inputs). What a
-- person does to a period (open, calculate, confirm, post, reverse) is audited on
-- utility_period, and the bills it posts in the ledger. The registry says which tables
-- are derived, so that the check that every park table is audited knows the exceptions.
ALTER TABLE parkctl_park_table ADD COLUMN derived boolean NOT NULL DEFAULT false;
DROP TRIGGER utility_charge_audit ON utility_charge;
DROP TRIGGER utility_charge_audit_insert ON utility_charge;
DROP TRIGGER utility_period_lease_audit ON utility_period_lease;
DROP TRIGGER utility_period_lease_audit_insert ON utility_period_lease;
UPDATE parkctl_park_table SET derived = true WHERE name IN ('utility_charge', 'utility_period_lease');
