-- 0009: rebuild lease_unit's GiST indexes. Under concurrent load, PostgreSQL 15's
-- GiST could lose live entries (plain index scans repeated per unit kept stale
-- "killed" items across rescans); the exclusion constraint cannot see a lost entry,
-- so a second lease could be accepted on the same unit and days. parkctl no longer
-- runs such scans (see ParkSession.readWithoutPlainIndexScans); this rebuilds indexes
-- that may already have lost entries. If it fails with a conflicting key, two leases
-- overlap: find them with
--   SELECT a.lease_id, b.lease_id, a.unit_id FROM lease_unit a JOIN lease_unit b
--   ON a.unit_id = b.unit_id AND a.lease_id < b.lease_id AND a.during && b.during
--   WHERE NOT a.cancelled AND NOT b.cancelled;
-- cancel or terminate one of each pair, then run `parkctl db migrate` again.
REINDEX INDEX lease_unit_no_overlap;
REINDEX INDEX lease_unit_unit_idx;
