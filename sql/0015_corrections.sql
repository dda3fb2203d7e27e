-- 0015: correcting the portfolio (issue 14): a reason kept with each change, and the
-- versions of a unit kept like those of a lease.

-- 1. A correction may carry a reason (`unit set … --reason`): parkctl sets
--    parkctl.reason for the transaction and the audit trigger keeps it beside the change.
ALTER TABLE audit_log ADD COLUMN reason text;

CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    old_j jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_j jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    j     jsonb := coalesce(new_j, old_j);
BEGIN
    -- Definer triggers run only on parkctl's own tables: never on a table of the
    -- caller's, where its rights and the caller's triggers would meet.
    IF TG_TABLE_SCHEMA <> 'public' THEN
        RAISE EXCEPTION 'parkctl''s triggers run on parkctl''s tables only' USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- An update that changed nothing (a ticket's times set to what they were) is no change.
    IF TG_OP = 'UPDATE' AND old_j = new_j THEN
        RETURN NULL;
    END IF;
    INSERT INTO public.audit_log (actor, table_name, row_key, label, action, park_id, old_row, new_row, reason)
    VALUES (public.parkctl_actor(), TG_TABLE_NAME, public.audit_row_key(j), public.audit_row_label(j), lower(TG_OP),
            public.audit_row_park(TG_TABLE_NAME, j), old_j, new_j,
            -- Any login may set the setting: what it holds is kept as plain text.
            public.parkctl_escape_controls(left(nullif(btrim(pg_catalog.current_setting('parkctl.reason', true)), ''), 500)));
    RETURN NULL;
END $$;

-- 2. A unit's versions. Changing the area or kind of a unit changes what reports of
--    the past would say; the version it replaced is kept in unit_history with the
--    period it was the recorded truth, and `report occupancy --as-recorded` reads
--    the units as they were recorded then.
ALTER TABLE unit ADD COLUMN sys_period tstzrange NOT NULL DEFAULT tstzrange(now(), NULL);
-- Units recorded before this migration: since they were created.
UPDATE unit SET sys_period = tstzrange(created_at, NULL);
CREATE TABLE unit_history (LIKE unit);
CREATE INDEX unit_history_id_idx ON unit_history (id);

CREATE OR REPLACE FUNCTION keep_history() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_TABLE_SCHEMA <> 'public' OR TG_TABLE_NAME NOT IN ('lease', 'lease_unit', 'unit') THEN
        RAISE EXCEPTION 'parkctl''s triggers run on parkctl''s tables only' USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- A version made earlier in this same transaction was never seen: keep none.
    IF lower(OLD.sys_period) < now() THEN
        OLD.sys_period := tstzrange(lower(OLD.sys_period), now());
        EXECUTE format('INSERT INTO %I.%I SELECT ($1).*', TG_TABLE_SCHEMA, TG_TABLE_NAME || '_history') USING OLD;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        NEW.sys_period := tstzrange(now(), NULL);
        RETURN NEW;
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER unit_keep_history BEFORE UPDATE OR DELETE ON unit FOR EACH ROW EXECUTE FUNCTION keep_history();

-- The units as they were recorded at an instant (a removed unit is still there for
-- the days before it was removed).
CREATE FUNCTION unit_as_recorded(at timestamptz) RETURNS SETOF unit LANGUAGE sql STABLE
SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT * FROM public.unit WHERE sys_period @> at
    UNION ALL
    SELECT * FROM public.unit_history WHERE sys_period @> at
$$;
REVOKE ALL ON FUNCTION unit_as_recorded(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION unit_as_recorded(timestamptz) TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;

-- unit_history is registered like lease_history: park scope forced, read by staff,
-- written only by the history trigger.
ALTER TABLE unit_history ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY park_scope ON unit_history
    USING ((SELECT public.parkctl_parks_of(current_user)) IS NULL
           OR park_id = ANY ((SELECT public.parkctl_parks_of(current_user))::bigint[]))
    WITH CHECK ((SELECT public.parkctl_parks_of(current_user)) IS NULL
                OR park_id = ANY ((SELECT public.parkctl_parks_of(current_user))::bigint[]));
REVOKE ALL ON unit_history FROM PUBLIC;
GRANT SELECT ON unit_history TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;

-- The period is the database's: admins write every other column of a unit.
REVOKE INSERT, UPDATE ON unit FROM parkctl_admin;
GRANT INSERT (park_id, building_id, code, floor, area_m2, kind, list_rent, off_market_reason),
      UPDATE (floor, area_m2, kind, list_rent, off_market_reason) ON unit TO parkctl_admin;

-- Unit status as recorded reads the units as recorded too (a unit removed since,
-- or changed since, counts as it was).
CREATE OR REPLACE FUNCTION unit_status_as_recorded(d date, at timestamptz)
RETURNS TABLE (unit_id bigint, park_id bigint, status text, fitting_out boolean, lease_id bigint)
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    WITH l AS (SELECT * FROM public.lease_as_recorded(at)), lu AS (SELECT * FROM public.lease_unit_as_recorded(at))
    SELECT u.id, u.park_id,
           CASE WHEN cur.lease_id IS NOT NULL THEN 'leased'
                WHEN fut.lease_id IS NOT NULL THEN 'reserved'
                WHEN u.off_market_reason IS NOT NULL THEN 'off_market'
                ELSE 'vacant' END,
           coalesce(cur.fit_out_window @> d, false),
           coalesce(cur.lease_id, fut.lease_id)
    FROM public.unit_as_recorded(at) u
    LEFT JOIN LATERAL (
        SELECT lu.lease_id, l.fit_out_window FROM lu JOIN l ON l.id = lu.lease_id
        WHERE lu.unit_id = u.id AND NOT lu.cancelled AND lu.during @> d AND l.status IN ('signed', 'terminated')
        LIMIT 1) cur ON true
    LEFT JOIN LATERAL (
        SELECT lu.lease_id FROM lu JOIN l ON l.id = lu.lease_id
        WHERE lu.unit_id = u.id AND NOT lu.cancelled AND lower(lu.during) > d AND l.status = 'signed'
        ORDER BY lower(lu.during) LIMIT 1) fut ON true
$$;

-- 3. A building keeps the floors its units are on (the units' own trigger checks a
--    unit against its building; this checks the building against its units). The
--    units' triggers now lock the building they read (FOR SHARE), so that a unit added
--    and the building's floors changed at once wait for each other instead of both
--    passing their checks.
CREATE FUNCTION building_floors_hold_units() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE u record;
BEGIN
    SELECT code, floor INTO u FROM public.unit
    WHERE building_id = NEW.id AND (floor > NEW.floors_above OR floor < -NEW.floors_below)
    ORDER BY floor DESC, code LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'building % has unit % on floor %, outside floors % to % (move or remove the unit first)',
            NEW.code, u.code, u.floor, CASE WHEN NEW.floors_below > 0 THEN -NEW.floors_below ELSE 1 END, NEW.floors_above
            USING ERRCODE = 'check_violation', CONSTRAINT = 'building_floors_hold_units', TABLE = 'building';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER building_floors_hold_units BEFORE UPDATE OF floors_above, floors_below ON building
    FOR EACH ROW EXECUTE FUNCTION building_floors_hold_units();

-- 4. A park is removed, like it is added, by admins of every park only.
CREATE POLICY park_removed_by_every_park_staff ON park AS RESTRICTIVE FOR DELETE
    USING ((SELECT public.parkctl_parks_of(current_user)) IS NULL);

CREATE OR REPLACE FUNCTION unit_floor_in_building() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE b public.building;
BEGIN
    SELECT * INTO b FROM public.building WHERE id = NEW.building_id FOR SHARE;
    IF NEW.floor = 0 OR NEW.floor > b.floors_above OR NEW.floor < -b.floors_below THEN
        RAISE EXCEPTION 'floor % is not in building % (floors -% to %, no floor 0)',
            NEW.floor, b.code, b.floors_below, b.floors_above
            USING ERRCODE = 'check_violation', CONSTRAINT = 'unit_floor_in_building', TABLE = 'unit', COLUMN = 'floor';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION units_floor_in_building() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE bad record;
BEGIN
    PERFORM 1 FROM public.building b WHERE b.id IN (SELECT DISTINCT n.building_id FROM new_rows n) ORDER BY b.id FOR SHARE;
    SELECT n.floor, b.code, b.floors_below, b.floors_above INTO bad
    FROM new_rows n JOIN public.building b ON b.id = n.building_id
    WHERE n.floor = 0 OR n.floor > b.floors_above OR n.floor < -b.floors_below
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'floor % is not in building % (floors -% to %, no floor 0)',
            bad.floor, bad.code, bad.floors_below, bad.floors_above
            USING ERRCODE = 'check_violation', CONSTRAINT = 'unit_floor_in_building', TABLE = 'unit', COLUMN = 'floor';
    END IF;
    RETURN NULL;
END $$;

-- 5. The rules of `unit set` and `unit off-market`, kept by the database too, so that
--    no client (psql, an import) passes them by: the area or kind of a unit that a
--    lease holds or held changes only with a reason (parkctl.reason, which the audit
--    trail keeps), and a unit that a lease holds today or later stays on the market.
CREATE FUNCTION unit_change_follows_leases() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE held record;
BEGIN
    IF (NEW.area_m2, NEW.kind) IS DISTINCT FROM (OLD.area_m2, OLD.kind)
       AND nullif(btrim(pg_catalog.current_setting('parkctl.reason', true)), '') IS NULL THEN
        SELECT l.number INTO held FROM public.lease_unit lu JOIN public.lease l ON l.id = lu.lease_id
        WHERE lu.unit_id = NEW.id AND NOT lu.cancelled AND l.status IN ('signed', 'terminated') LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'unit % is or was held by lease %: its area or kind changes only with a reason (parkctl unit set … --reason)',
                NEW.code, held.number
                USING ERRCODE = 'check_violation', CONSTRAINT = 'unit_leased_change_needs_reason', TABLE = 'unit';
        END IF;
    END IF;
    IF NEW.off_market_reason IS NOT NULL AND OLD.off_market_reason IS NULL THEN
        SELECT l.number INTO held FROM public.lease_unit lu JOIN public.lease l ON l.id = lu.lease_id
        JOIN public.park p ON p.id = lu.park_id
        WHERE lu.unit_id = NEW.id AND NOT lu.cancelled AND l.status IN ('signed', 'terminated')
          AND upper(lu.during) > (now() AT TIME ZONE p.time_zone)::date LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'unit % is held by lease % today or later: it can go off the market once no lease holds it',
                NEW.code, held.number
                USING ERRCODE = 'check_violation', CONSTRAINT = 'unit_leased_stays_on_market', TABLE = 'unit';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER unit_change_follows_leases BEFORE UPDATE OF area_m2, kind, off_market_reason ON unit
    FOR EACH ROW EXECUTE FUNCTION unit_change_follows_leases();
