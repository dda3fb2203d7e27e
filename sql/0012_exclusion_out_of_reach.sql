-- 0012: no double leasing, whatever query anyone runs (issue 13).
--
-- PostgreSQL's GiST keeps a plain index scan's pending "killed items" across a
-- rescan and may apply them to the wrong leaf (docs/postgresql-gist-killed-items.md):
-- a per-unit probe (LATERAL ... LIMIT 1, as in unit_status_on) could mark live
-- entries of lease_unit's exclusion index dead, and the constraint would no longer
-- see those leases. parkctl's reads avoided plain index scans, but any psql or BI
-- query could still make one. So:
--
-- 1. The exclusion constraint is written on expressions that no ordinary query
--    spells: (CASE WHEN NOT cancelled THEN unit_id + 0 END) and (during + 'empty')
--    hold the same values as unit_id and during (x + 0 = x; a range's union with the
--    empty range is itself; a cancelled lease unit's key is NULL, which conflicts
--    with nothing), but the planner matches a query's conditions to an index by
--    expression, and nobody writes them. Only the constraint's own check scans this
--    index, with a fresh scan for each row it checks, which never carries killed
--    items across a rescan. The cancellation is part of the key, not a partial-index
--    condition: a query that says "NOT cancelled" (as most do) would imply such a
--    condition and let the planner scan the whole index. (PostgreSQL folds none of
--    these expressions away; an identity function would be inlined and matched.)
-- 2. Reads by unit use a btree, which applies its killed items correctly. The second
--    GiST index, lease_unit_unit_idx, duplicated the constraint's and goes.
-- 3. No way around the rule: `during` is never empty (an empty range overlaps
--    nothing), and `during` and `cancelled` are the lease's: an insert or update of a
--    lease unit that says otherwise is refused (before, inserts were trusted).
--
-- A database that already holds two overlapping leases cannot take the constraint;
-- this migration then stops with the pairs, and parkctl still runs `db check` and the
-- lease commands that resolve them (cancel, terminate), so that `db migrate` can follow.

-- First the copies on lease_unit are made to agree with their leases (they were kept
-- in step on update only; an insert was trusted).
UPDATE lease_unit lu SET during = lease_occupancy(l.term, l.terminated_on), cancelled = (l.status = 'cancelled')
FROM lease l
WHERE l.id = lu.lease_id
  AND (lu.during IS DISTINCT FROM lease_occupancy(l.term, l.terminated_on) OR lu.cancelled IS DISTINCT FROM (l.status = 'cancelled'));

DO $$
DECLARE
    pairs text;
    n int;
BEGIN
    SELECT count(*), string_agg(format('%s and %s on %s (%s and %s)', o.first_lease, o.second_lease, o.unit, o.first_days,
                                       o.second_days), '; ')
    INTO n, pairs
    FROM public.parkctl_overlapping_leases() o;
    IF n > 0 THEN
        RAISE EXCEPTION 'the database holds % pair(s) of overlapping leases: %', n, pairs
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'lease_unit_no_overlap', TABLE = 'lease_unit',
                  HINT = 'parkctl db check lists them; cancel or terminate one lease of each pair (parkctl lease cancel|terminate), then run parkctl db migrate';
    END IF;
END $$;

ALTER TABLE lease_unit DROP CONSTRAINT IF EXISTS lease_unit_no_overlap;
DROP INDEX IF EXISTS lease_unit_unit_idx;

ALTER TABLE lease_unit ADD CONSTRAINT lease_unit_during_not_empty CHECK (NOT isempty(during));
ALTER TABLE lease_unit ADD CONSTRAINT lease_unit_no_overlap
    EXCLUDE USING gist ((CASE WHEN NOT cancelled THEN unit_id + 0 END) WITH =, (during + 'empty'::daterange) WITH &&);
CREATE INDEX lease_unit_unit_idx ON lease_unit (unit_id, lower(during));

-- The days a lease unit holds its unit, and whether it is cancelled, are its lease's:
-- an insert or update that says otherwise is refused (lease_sync_units, which keeps
-- them in step when the lease changes, says the same as the lease).
CREATE FUNCTION lease_unit_follows_lease() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    l public.lease;
    days daterange;
BEGIN
    -- Locked, so that the lease cannot change between this check and the commit
    -- (a term changed meanwhile would leave this unit on the old days).
    SELECT * INTO l FROM public.lease WHERE id = NEW.lease_id FOR SHARE;
    IF FOUND THEN
        days := public.lease_occupancy(l.term, l.terminated_on);
        IF NEW.during IS DISTINCT FROM days OR NEW.cancelled IS DISTINCT FROM (l.status = 'cancelled') THEN
            RAISE EXCEPTION 'lease % holds its units for % (%): a lease unit cannot say %, %', l.number, days, l.status,
                NEW.during, CASE WHEN NEW.cancelled THEN 'cancelled' ELSE 'not cancelled' END
                USING ERRCODE = 'check_violation', CONSTRAINT = 'lease_unit_follows_lease', TABLE = 'lease_unit';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER lease_unit_follows_lease BEFORE INSERT OR UPDATE OF during, cancelled, lease_id ON lease_unit
    FOR EACH ROW EXECUTE FUNCTION lease_unit_follows_lease();
REVOKE ALL ON FUNCTION lease_unit_follows_lease() FROM PUBLIC;
