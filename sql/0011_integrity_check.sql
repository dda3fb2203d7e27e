-- 0011: what `parkctl db check` asks of the database (issue 13). Its own migration,
-- before the one that rebuilds the exclusion constraint (0012), so that a database
-- whose leases overlap (where 0012 stops) can still be checked and repaired.
--
-- They read in the caller's snapshot (db check runs them in one REPEATABLE READ,
-- read-only transaction: no lock beyond ACCESS SHARE, writers go on), and set their
-- planner settings for themselves only, restoring them before they return. They
-- answer only a login that sees every park: row-level security would make a scoped
-- login's check compare its own rows only, and call a damaged database clean.

CREATE FUNCTION parkctl_require_every_park() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF public.parkctl_parks_of(current_user) IS NOT NULL THEN
        RAISE EXCEPTION 'the integrity check reads every park: run it as the database owner or an admin of every park'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
END $$;

-- Every GiST index of parkctl's tables (the exclusion constraint's among them)
-- against its table: the rows a bitmap scan reaches through the index (it skips
-- entries marked dead, as the constraint's own check does) against the rows a
-- sequential scan finds, under the index's own condition. Equal: the index is
-- complete. `checked` is false when the planner would not scan the index as asked.
CREATE FUNCTION parkctl_index_completeness()
RETURNS TABLE (index_name text, table_name text, through_index bigint, in_table bigint, checked boolean)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    ix record;
    cond text;
    line text;
    saved text[] := ARRAY[current_setting('enable_seqscan'), current_setting('enable_indexscan'),
                          current_setting('enable_indexonlyscan'), current_setting('enable_bitmapscan')];
BEGIN
    PERFORM public.parkctl_require_every_park();
    FOR ix IN
        SELECT c.relname AS idx, t.relname AS tab, pg_get_indexdef(i.indexrelid, 1, true) AS key,
               pg_get_expr(i.indpred, i.indrelid, true) AS pred
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_class t ON t.oid = i.indrelid
        JOIN pg_am a ON a.oid = c.relam
        WHERE t.relnamespace = 'public'::regnamespace AND a.amname = 'gist'
        ORDER BY 1
    LOOP
        -- Every entry of the index answers "first key IS NOT NULL" (GiST searches for
        -- nulls and non-nulls whatever the operator class).
        cond := format('(%s) IS NOT NULL', ix.key) || CASE WHEN ix.pred IS NULL THEN '' ELSE format(' AND (%s)', ix.pred) END;
        index_name := ix.idx;
        table_name := ix.tab;
        PERFORM set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true),
                set_config('enable_indexonlyscan', 'off', true), set_config('enable_bitmapscan', 'on', true);
        checked := false;
        FOR line IN EXECUTE format('EXPLAIN (COSTS OFF) SELECT count(*) FROM public.%I WHERE %s', ix.tab, cond) LOOP
            checked := checked OR position('Bitmap Index Scan on ' || quote_ident(ix.idx) IN line) > 0;
        END LOOP;
        EXECUTE format('SELECT count(*) FROM public.%I WHERE %s', ix.tab, cond) INTO through_index;
        PERFORM set_config('enable_seqscan', 'on', true), set_config('enable_bitmapscan', 'off', true);
        EXECUTE format('SELECT count(*) FROM public.%I WHERE %s', ix.tab, cond) INTO in_table;
        PERFORM set_config('enable_seqscan', saved[1], true), set_config('enable_indexscan', saved[2], true),
                set_config('enable_indexonlyscan', saved[3], true), set_config('enable_bitmapscan', saved[4], true);
        RETURN NEXT;
    END LOOP;
END $$;

-- Leases that hold the same unit on the same day, found in the heap (a self-join
-- that no index serves), whatever the indexes say.
CREATE FUNCTION parkctl_overlapping_leases()
RETURNS TABLE (unit text, first_lease text, first_days daterange, second_lease text, second_days daterange)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    saved text[] := ARRAY[current_setting('enable_indexscan'), current_setting('enable_indexonlyscan'),
                          current_setting('enable_bitmapscan')];
BEGIN
    PERFORM public.parkctl_require_every_park();
    PERFORM set_config('enable_indexscan', 'off', true), set_config('enable_indexonlyscan', 'off', true),
            set_config('enable_bitmapscan', 'off', true);
    RETURN QUERY
    SELECT p.code || '/' || b.code || '/' || u.code, la.number, a.during, lb.number, bb.during
    FROM public.lease_unit a
    JOIN public.lease_unit bb ON a.unit_id = bb.unit_id AND a.lease_id < bb.lease_id AND a.during && bb.during
    JOIN public.lease la ON la.id = a.lease_id
    JOIN public.lease lb ON lb.id = bb.lease_id
    JOIN public.unit u ON u.id = a.unit_id
    JOIN public.building b ON b.id = u.building_id
    JOIN public.park p ON p.id = u.park_id
    WHERE NOT a.cancelled AND NOT bb.cancelled
    ORDER BY 2, 4, 1;
    PERFORM set_config('enable_indexscan', saved[1], true), set_config('enable_indexonlyscan', saved[2], true),
            set_config('enable_bitmapscan', saved[3], true);
END $$;

-- Lease units whose copy of their lease's days or state disagrees with the lease
-- (0012 holds them to it; this finds what an older version, or a race, left).
CREATE FUNCTION parkctl_lease_units_out_of_step()
RETURNS TABLE (lease text, unit text, stored_days daterange, stored_cancelled boolean, lease_days daterange, lease_status text)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM public.parkctl_require_every_park();
    RETURN QUERY
    SELECT l.number, p.code || '/' || b.code || '/' || u.code, lu.during, lu.cancelled,
           public.lease_occupancy(l.term, l.terminated_on), l.status
    FROM public.lease_unit lu
    JOIN public.lease l ON l.id = lu.lease_id
    JOIN public.unit u ON u.id = lu.unit_id
    JOIN public.building b ON b.id = u.building_id
    JOIN public.park p ON p.id = u.park_id
    WHERE lu.during IS DISTINCT FROM public.lease_occupancy(l.term, l.terminated_on)
       OR lu.cancelled IS DISTINCT FROM (l.status = 'cancelled')
    ORDER BY 1, 2;
END $$;

REVOKE ALL ON FUNCTION parkctl_index_completeness(), parkctl_overlapping_leases(), parkctl_lease_units_out_of_step(),
    parkctl_require_every_park() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parkctl_index_completeness(), parkctl_overlapping_leases(), parkctl_lease_units_out_of_step(),
    parkctl_require_every_park() TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;
