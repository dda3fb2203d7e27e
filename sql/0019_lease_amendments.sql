-- 0019: supplementary agreements (补充协议, `lease amend`, issue 14).
--
-- An amendment changes a signed lease from a day: the rent, the property fee, the
-- units (a unit added or released from a day) or the end date (extended or
-- shortened). Each one is dated, numbered (L-2026-000001-A1, -A2, …) and kept; the
-- table is append-only for staff, so a wrong amendment is corrected by another one.
--
-- 1. A lease unit may hold its unit for part of the lease's days. `agreed` is the
--    days the agreement gives that unit (unbounded: the whole lease, as every unit
--    signed with the lease); the unit is held on the lease's days within them. A lease
--    unit whose agreed days fall outside the lease's (a unit added from a day after
--    the lease was terminated) holds nothing: it is `cancelled`, like the units of a
--    cancelled lease, and the exclusion constraint ignores it. The rule is written
--    once (lease_unit_during, lease_unit_cancelled) and read by the trigger that keeps
--    lease units in step with their lease, by the trigger that refuses any other
--    value, and by `db check`.
-- 2. Every day of a lease, some unit is held: a deferred check at commit.
-- 3. The rent and the property fee in force on a day follow the latest amendment
--    that changed them from that day or earlier; the lease's yearly escalation still
--    applies at each later anniversary of the lease's start, to the amended rent.

-- Empty: the unit is no longer on the lease (released from its first day: an
-- addition undone); the row stays, as the record that it was.
ALTER TABLE lease_unit ADD COLUMN agreed daterange NOT NULL DEFAULT '(,)'::daterange;
-- The history keeps the same columns in the same order (keep_history copies OLD.*).
ALTER TABLE lease_unit_history ADD COLUMN agreed daterange NOT NULL DEFAULT '(,)'::daterange;

CREATE FUNCTION lease_unit_during(occupancy daterange, agreed daterange) RETURNS daterange
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN isempty(occupancy * agreed) THEN occupancy ELSE occupancy * agreed END
$$;
CREATE FUNCTION lease_unit_cancelled(status text, occupancy daterange, agreed daterange) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT status = 'cancelled' OR isempty(occupancy * agreed)
$$;

CREATE OR REPLACE FUNCTION lease_sync_units() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NEW.term IS DISTINCT FROM OLD.term OR NEW.terminated_on IS DISTINCT FROM OLD.terminated_on
       OR NEW.status IS DISTINCT FROM OLD.status THEN
        UPDATE public.lease_unit
        SET during = public.lease_unit_during(public.lease_occupancy(NEW.term, NEW.terminated_on), agreed),
            cancelled = public.lease_unit_cancelled(NEW.status, public.lease_occupancy(NEW.term, NEW.terminated_on), agreed)
        WHERE lease_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION lease_unit_follows_lease() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    l public.lease;
    days daterange;
    gone boolean;
BEGIN
    -- Locked, so that the lease cannot change between this check and the commit
    -- (a term changed meanwhile would leave this unit on the old days).
    SELECT * INTO l FROM public.lease WHERE id = NEW.lease_id FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no lease % that this login can see', NEW.lease_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    days := public.lease_unit_during(public.lease_occupancy(l.term, l.terminated_on), NEW.agreed);
    gone := public.lease_unit_cancelled(l.status, public.lease_occupancy(l.term, l.terminated_on), NEW.agreed);
    IF NEW.during IS DISTINCT FROM days OR NEW.cancelled IS DISTINCT FROM gone THEN
        RAISE EXCEPTION 'lease % holds this unit for % (%): a lease unit cannot say %, %', l.number, days,
            CASE WHEN gone THEN 'holding nothing' ELSE l.status END,
            NEW.during, CASE WHEN NEW.cancelled THEN 'cancelled' ELSE 'not cancelled' END
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lease_unit_follows_lease', TABLE = 'lease_unit';
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER lease_unit_follows_lease ON lease_unit;
CREATE TRIGGER lease_unit_follows_lease BEFORE INSERT OR UPDATE OF during, cancelled, lease_id, agreed ON lease_unit
    FOR EACH ROW EXECUTE FUNCTION lease_unit_follows_lease();

CREATE OR REPLACE FUNCTION parkctl_lease_units_out_of_step()
RETURNS TABLE (lease text, unit text, stored_days daterange, stored_cancelled boolean, lease_days daterange, lease_status text)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM public.parkctl_require_every_park();
    RETURN QUERY
    SELECT l.number, p.code || '/' || b.code || '/' || u.code, lu.during, lu.cancelled,
           public.lease_unit_during(public.lease_occupancy(l.term, l.terminated_on), lu.agreed), l.status
    FROM public.lease_unit lu
    JOIN public.lease l ON l.id = lu.lease_id
    JOIN public.unit u ON u.id = lu.unit_id
    JOIN public.building b ON b.id = u.building_id
    JOIN public.park p ON p.id = u.park_id
    WHERE lu.during IS DISTINCT FROM public.lease_unit_during(public.lease_occupancy(l.term, l.terminated_on), lu.agreed)
       OR lu.cancelled IS DISTINCT FROM public.lease_unit_cancelled(l.status, public.lease_occupancy(l.term, l.terminated_on), lu.agreed)
    ORDER BY 1, 2;
END $$;

-- 2. Every day of a signed or terminated lease, at least one of its units is held.
--    Only lease units with agreed days of their own can break it (a unit agreed for
--    the whole lease covers every day), so only they queue a check.
-- It runs as the owner: at commit the caller may have switched to a role that sees no
-- lease (SET ROLE), and a check that cannot see the lease would pass.
CREATE FUNCTION lease_units_cover_lease() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    l public.lease;
    held datemultirange;
    gap daterange;
BEGIN
    IF TG_TABLE_SCHEMA <> 'public' OR TG_TABLE_NAME <> 'lease_unit' THEN
        RAISE EXCEPTION 'parkctl''s triggers run on parkctl''s tables only' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO l FROM public.lease WHERE id = NEW.lease_id;
    IF NOT FOUND OR l.status = 'cancelled' THEN
        RETURN NULL;
    END IF;
    SELECT coalesce(range_agg(lu.during) FILTER (WHERE NOT lu.cancelled), '{}'::datemultirange) INTO held
    FROM public.lease_unit lu WHERE lu.lease_id = l.id;
    IF NOT held @> public.lease_occupancy(l.term, l.terminated_on) THEN
        SELECT g INTO gap FROM unnest(datemultirange(public.lease_occupancy(l.term, l.terminated_on)) - held) g LIMIT 1;
        RAISE EXCEPTION 'lease % would hold no unit from % to %', l.number, lower(gap), upper(gap) - 1
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lease_units_cover_lease', TABLE = 'lease_unit',
                  HINT = 'a lease holds at least one unit every day: release the last unit by ending the lease (parkctl lease terminate, or lease amend --end)';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER lease_units_cover_lease AFTER INSERT OR UPDATE ON lease_unit DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.agreed <> '(,)'::daterange) EXECUTE FUNCTION lease_units_cover_lease();
REVOKE ALL ON FUNCTION lease_unit_during(daterange, daterange), lease_unit_cancelled(text, daterange, daterange),
    lease_units_cover_lease() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lease_unit_during(daterange, daterange), lease_unit_cancelled(text, daterange, daterange)
    TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;

-- A signed lease's terms change only through a recorded amendment (or its own steps:
-- termination, cancellation, renewal): staff no longer update them directly.
REVOKE UPDATE (term, rent, property_fee, free_window, fit_out_window, deposit, escalation_pct, cycle) ON lease
    FROM parkctl_leasing, parkctl_admin;

-- A unit's agreed days are whole days (no infinite bounds); empty: off the lease.
ALTER TABLE lease_unit ADD CONSTRAINT lease_unit_agreed_days
    CHECK ((lower_inf(agreed) OR isfinite(lower(agreed))) AND (upper_inf(agreed) OR isfinite(upper(agreed))));

-- A unit joins a lease when the lease is made (signed, renewed, imported: in the same
-- transaction) or through an amendment, which the database applies; never otherwise.
CREATE FUNCTION lease_unit_joins_new_lease() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF public.parkctl_is_owner(current_user) THEN
        RETURN NEW;
    END IF;
    -- Made in this transaction: its first version, recorded now (a lease changed now
    -- has its previous version in lease_history).
    IF NOT EXISTS (SELECT 1 FROM public.lease l WHERE l.id = NEW.lease_id AND lower(l.sys_period) = now()
                   AND NOT EXISTS (SELECT 1 FROM public.lease_history h WHERE h.id = l.id)) THEN
        RAISE EXCEPTION 'a unit joins lease % only through an amendment (parkctl lease amend … --add-unit)', NEW.lease_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lease_unit_joins_new_lease', TABLE = 'lease_unit';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER lease_unit_joins_new_lease BEFORE INSERT ON lease_unit
    FOR EACH ROW EXECUTE FUNCTION lease_unit_joins_new_lease();
REVOKE ALL ON FUNCTION lease_unit_joins_new_lease() FROM PUBLIC;

-- A lease's state moves forward: a terminated or cancelled lease stays so (its last
-- day too), and a signed one is not a draft again; only the owner repairs.
CREATE FUNCTION lease_status_moves_forward() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF public.parkctl_is_owner(current_user) THEN
        RETURN NEW;
    END IF;
    IF (OLD.status IN ('terminated', 'cancelled')
        AND (NEW.status IS DISTINCT FROM OLD.status OR NEW.terminated_on IS DISTINCT FROM OLD.terminated_on))
       OR (OLD.status = 'signed' AND NEW.status = 'draft') THEN
        RAISE EXCEPTION 'lease % is %: it cannot become % (with last day %)', OLD.number, OLD.status, NEW.status,
            coalesce(NEW.terminated_on::text, 'none')
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lease_status_moves_forward', TABLE = 'lease';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER lease_status_moves_forward BEFORE UPDATE OF status, terminated_on ON lease
    FOR EACH ROW EXECUTE FUNCTION lease_status_moves_forward();
REVOKE ALL ON FUNCTION lease_status_moves_forward() FROM PUBLIC;

-- A new lease unit may hold part of its lease (an import of an amended lease); the
-- agreed days of a unit already on a lease change only through an amendment, which
-- the database applies (lease_amendment_applies): no unit leaves a lease unrecorded.
GRANT INSERT (agreed) ON lease_unit TO parkctl_leasing, parkctl_admin;

-- Whether an array names each element once (and no NULL).
CREATE FUNCTION parkctl_distinct(a bigint[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT count(DISTINCT x) = cardinality(a) AND count(*) FILTER (WHERE x IS NULL) = 0 FROM unnest(a) x
$$;

REVOKE ALL ON FUNCTION parkctl_distinct(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parkctl_distinct(bigint[]) TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;

-- The amendments themselves.
CREATE TABLE lease_amendment (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id          bigint NOT NULL,
    lease_id         bigint NOT NULL,
    seq              int NOT NULL,
    -- The lease's number and the amendment's place: L-2026-000001-A2.
    number           text NOT NULL CONSTRAINT lease_amendment_number_key UNIQUE,
    signed_on        date NOT NULL,
    -- The day its rent, property fee and unit changes take effect (none for an
    -- amendment that only moves the end).
    effective_on     date,
    rent             numeric(12,2) CONSTRAINT lease_amendment_rent_positive CHECK (rent > 0),
    property_fee     numeric(12,2) CONSTRAINT lease_amendment_property_fee_not_negative CHECK (property_fee >= 0),
    -- The lease's last day before and after, when the amendment moved it.
    end_before       date,
    end_after        date,
    units_added      bigint[] NOT NULL DEFAULT '{}',
    units_released   bigint[] NOT NULL DEFAULT '{}',
    note             text CONSTRAINT lease_amendment_note_length CHECK (note IS NULL OR length(note) <= 500)
                     CONSTRAINT lease_amendment_note_plain_text CHECK (public.parkctl_is_plain_text(note)),
    -- Recorded by `import amendments`: its units and end are already the lease's (the
    -- leases file holds each unit's days and the final end), so only its rent and
    -- property fee take effect; the units it names must be on the lease.
    imported         boolean NOT NULL DEFAULT false,
    actor            text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT lease_amendment_seq_key UNIQUE (lease_id, seq),
    CONSTRAINT lease_amendment_units_once CHECK (
        NOT (units_added && units_released) AND public.parkctl_distinct(units_added) AND public.parkctl_distinct(units_released)
        AND cardinality(units_added) <= 500 AND cardinality(units_released) <= 500),
    CONSTRAINT lease_amendment_changes_something CHECK (
        rent IS NOT NULL OR property_fee IS NOT NULL OR end_after IS NOT NULL
        OR cardinality(units_added) > 0 OR cardinality(units_released) > 0),
    CONSTRAINT lease_amendment_effective_day CHECK (
        effective_on IS NOT NULL OR (rent IS NULL AND property_fee IS NULL
                                     AND cardinality(units_added) = 0 AND cardinality(units_released) = 0)),
    CONSTRAINT lease_amendment_end_moves CHECK ((end_before IS NULL AND end_after IS NULL)
                                               OR (end_before IS NOT NULL AND end_after IS NOT NULL AND end_before <> end_after)),
    FOREIGN KEY (park_id, lease_id) REFERENCES lease (park_id, id)
);
CREATE INDEX lease_amendment_lease_idx ON lease_amendment (lease_id, effective_on);

-- An amendment is numbered by the database and made to a signed lease (or a
-- terminated one, whose rent or fee is corrected), taking effect within the lease's
-- days; who recorded it, and when, are the database's.
CREATE FUNCTION lease_amendment_numbered() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    l public.lease;
BEGIN
    -- Locked: two amendments of one lease at once are numbered one after the other.
    SELECT * INTO l FROM public.lease WHERE id = NEW.lease_id FOR UPDATE;
    IF NOT FOUND OR l.park_id IS DISTINCT FROM NEW.park_id THEN
        RAISE EXCEPTION 'no lease % in this park', NEW.lease_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF l.status NOT IN ('signed', 'terminated') THEN
        RAISE EXCEPTION 'lease % is %: only a signed or terminated lease is amended', l.number, l.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lease_amendment_of_signed_lease', TABLE = 'lease_amendment';
    END IF;
    IF NEW.effective_on IS NOT NULL AND NOT public.lease_occupancy(l.term, l.terminated_on) @> NEW.effective_on THEN
        RAISE EXCEPTION 'lease % runs % to %: an amendment takes effect within it, not on %', l.number, lower(l.term),
            upper(l.term) - 1, NEW.effective_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lease_amendment_within_lease', TABLE = 'lease_amendment';
    END IF;
    -- Imported records are the history of another database's leases: only staff of
    -- every park bring them in (they take effect for rent and fee only).
    IF NEW.imported AND public.parkctl_parks_of(session_user) IS NOT NULL THEN
        RAISE EXCEPTION 'only staff of every park import amendments' USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- A lease that has ended: an amendment changes what was due, so it says why.
    IF NOT NEW.imported AND upper(public.lease_occupancy(l.term, l.terminated_on)) - 1
           < (SELECT (now() AT TIME ZONE p.time_zone)::date FROM public.park p WHERE p.id = l.park_id)
       AND coalesce(btrim(pg_catalog.current_setting('parkctl.reason', true)), '') = '' THEN
        RAISE EXCEPTION 'lease % ended on %: an amendment of it changes what was due and needs a reason (parkctl lease amend … --reason)',
            l.number, upper(public.lease_occupancy(l.term, l.terminated_on)) - 1
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lease_amendment_of_ended_lease', TABLE = 'lease_amendment';
    END IF;
    NEW.seq := coalesce((SELECT max(a.seq) FROM public.lease_amendment a WHERE a.lease_id = NEW.lease_id), 0) + 1;
    NEW.number := l.number || '-A' || NEW.seq;
    NEW.actor := public.parkctl_actor();
    NEW.recorded_at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER lease_amendment_numbered BEFORE INSERT ON lease_amendment
    FOR EACH ROW EXECUTE FUNCTION lease_amendment_numbered();
REVOKE ALL ON FUNCTION lease_amendment_numbered() FROM PUBLIC;

-- An amendment, once recorded, is applied by the database, as its owner: the new end,
-- the units added (held from its day, or back on the lease: a release undone, an
-- addition moved earlier) and released (free from its day). What it says is checked
-- against the lease (the end it moves is the lease's, its units are of the lease's
-- park and on the lease), so the record and the lease cannot disagree. The caller's
-- scope was checked by the trigger before (the lease, locked, is one it can see).
CREATE FUNCTION lease_amendment_applies() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    l public.lease;
    lu public.lease_unit;
    occ daterange;
    u bigint;
    days daterange;
    units bigint[] := '{}';
    agreements daterange[] := '{}';
    today date;
BEGIN
    IF TG_TABLE_SCHEMA <> 'public' OR TG_TABLE_NAME <> 'lease_amendment' THEN
        RAISE EXCEPTION 'parkctl''s triggers run on parkctl''s tables only' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO STRICT l FROM public.lease WHERE id = NEW.lease_id FOR UPDATE;
    SELECT (now() AT TIME ZONE p.time_zone)::date INTO today FROM public.park p WHERE p.id = l.park_id;
    IF NEW.signed_on > today OR NEW.signed_on < lower(l.term) - 366 THEN
        RAISE EXCEPTION 'an amendment of lease % is signed between a year before its start (%) and today (%), not on %',
            l.number, lower(l.term) - 366, today, NEW.signed_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lease_amendment_signed_on', TABLE = 'lease_amendment';
    END IF;
    IF l.status = 'terminated' AND (NEW.end_after IS NOT NULL OR cardinality(NEW.units_added) > 0
                                    OR cardinality(NEW.units_released) > 0) THEN
        RAISE EXCEPTION 'lease % was terminated: its units and end are the termination''s; only its rent or property fee can be corrected',
            l.number USING ERRCODE = 'check_violation', CONSTRAINT = 'lease_amendment_of_terminated_lease', TABLE = 'lease_amendment';
    END IF;

    IF NEW.imported THEN
        IF NEW.end_after >= lower(l.term) + interval '20 years' OR NEW.end_before >= lower(l.term) + interval '20 years' THEN
            RAISE EXCEPTION 'an imported amendment of lease % moves its end past 20 years from its start', l.number
                USING ERRCODE = 'check_violation', CONSTRAINT = 'lease_amendment_end_after', TABLE = 'lease_amendment';
        END IF;
        IF EXISTS (SELECT 1 FROM unnest(NEW.units_added || NEW.units_released) x
                   WHERE NOT EXISTS (SELECT 1 FROM public.lease_unit h WHERE h.lease_id = l.id AND h.unit_id = x)) THEN
            RAISE EXCEPTION 'an imported amendment of lease % names a unit that is not on the lease', l.number
                USING ERRCODE = 'check_violation', CONSTRAINT = 'lease_amendment_imported_units', TABLE = 'lease_amendment';
        END IF;
        RETURN NULL;
    END IF;

    IF NEW.end_after IS NOT NULL THEN
        IF NEW.end_before IS DISTINCT FROM upper(l.term) - 1 THEN
            RAISE EXCEPTION 'lease % ends on %, not on % as the amendment says', l.number, upper(l.term) - 1, NEW.end_before
                USING ERRCODE = 'check_violation', CONSTRAINT = 'lease_amendment_end_before', TABLE = 'lease_amendment';
        END IF;
        IF EXISTS (SELECT 1 FROM public.lease n WHERE n.renews_lease_id = l.id AND n.status <> 'cancelled') THEN
            RAISE EXCEPTION 'lease % is renewed: its end cannot move (cancel the renewal first)', l.number
                USING ERRCODE = 'check_violation', CONSTRAINT = 'lease_amendment_end_of_renewed_lease', TABLE = 'lease_amendment';
        END IF;
        IF NEW.end_after < lower(l.term) OR NEW.end_after > lower(l.term) + interval '20 years' - interval '1 day' THEN
            RAISE EXCEPTION 'lease % starts on %: its last day is between then and % (a lease runs at most 20 years), not %',
                l.number, lower(l.term), (lower(l.term) + interval '20 years' - interval '1 day')::date, NEW.end_after
                USING ERRCODE = 'check_violation', CONSTRAINT = 'lease_amendment_end_after', TABLE = 'lease_amendment';
        END IF;
        UPDATE public.lease SET term = daterange(lower(term), NEW.end_after + 1) WHERE id = l.id RETURNING * INTO l;
    END IF;
    occ := public.lease_occupancy(l.term, l.terminated_on);
    IF NEW.effective_on IS NOT NULL AND NOT occ @> NEW.effective_on THEN
        RAISE EXCEPTION 'lease % runs % to % as amended: its changes cannot take effect from %', l.number, lower(occ),
            upper(occ) - 1, NEW.effective_on
            USING ERRCODE = 'check_violation', CONSTRAINT = 'lease_amendment_within_lease', TABLE = 'lease_amendment';
    END IF;

    FOREACH u IN ARRAY NEW.units_added LOOP
        IF NOT EXISTS (SELECT 1 FROM public.unit x WHERE x.id = u AND x.park_id = l.park_id AND x.off_market_reason IS NULL) THEN
            RAISE EXCEPTION 'unit % is not a unit on the market in the park of lease %', u, l.number
                USING ERRCODE = 'check_violation', CONSTRAINT = 'lease_amendment_units_of_park', TABLE = 'lease_amendment';
        END IF;
        SELECT * INTO lu FROM public.lease_unit WHERE lease_id = l.id AND unit_id = u;
        IF NOT FOUND THEN
            days := daterange(NEW.effective_on, NULL);
        ELSIF NOT isempty(lu.agreed) AND (lower_inf(lu.agreed) OR lower(lu.agreed) <= NEW.effective_on) THEN
            -- On the lease on that day already, or released: one run of days per unit.
            IF upper_inf(lu.agreed) OR upper(lu.agreed) < NEW.effective_on THEN
                RAISE EXCEPTION 'lease % holds unit % for %: it cannot be added from %', l.number, u, lu.agreed, NEW.effective_on
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'lease_amendment_unit_added_once', TABLE = 'lease_amendment';
            END IF;
            days := daterange(lower(lu.agreed), NULL);
        ELSE
            days := daterange(NEW.effective_on, CASE WHEN isempty(lu.agreed) THEN NULL ELSE upper(lu.agreed) END);
        END IF;
        units := units || u;
        agreements := agreements || days;
    END LOOP;

    FOREACH u IN ARRAY NEW.units_released LOOP
        SELECT * INTO lu FROM public.lease_unit WHERE lease_id = l.id AND unit_id = u;
        IF NOT FOUND OR lu.cancelled OR NOT lu.during @> NEW.effective_on THEN
            RAISE EXCEPTION 'lease % does not hold unit % on %: nothing to release', l.number, u, NEW.effective_on
                USING ERRCODE = 'check_violation', CONSTRAINT = 'lease_amendment_unit_released_held', TABLE = 'lease_amendment';
        END IF;
        units := units || u;
        agreements := agreements || (lu.agreed * daterange(NULL, NEW.effective_on));
    END LOOP;

    -- Each unit's new agreed days, and the days it is held and its state that follow.
    INSERT INTO public.lease_unit (park_id, lease_id, unit_id, agreed, during, cancelled)
    SELECT l.park_id, l.id, c.unit, c.days, public.lease_unit_during(occ, c.days), public.lease_unit_cancelled(l.status, occ, c.days)
    FROM unnest(units, agreements) AS c(unit, days)
    ON CONFLICT (lease_id, unit_id) DO UPDATE SET agreed = EXCLUDED.agreed, during = EXCLUDED.during, cancelled = EXCLUDED.cancelled;
    RETURN NULL;
END $$;
CREATE TRIGGER lease_amendment_applies AFTER INSERT ON lease_amendment
    FOR EACH ROW EXECUTE FUNCTION lease_amendment_applies();
REVOKE ALL ON FUNCTION lease_amendment_applies() FROM PUBLIC;

-- Registered like the other park tables: park scope forced, the tenant visible,
-- read by staff, written (appended) by leasing staff and admins, audited.
ALTER TABLE lease_amendment ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY park_scope ON lease_amendment
    USING ((SELECT public.parkctl_parks_of(current_user)) IS NULL
           OR park_id = ANY ((SELECT public.parkctl_parks_of(current_user))::bigint[]))
    WITH CHECK ((SELECT public.parkctl_parks_of(current_user)) IS NULL
                OR park_id = ANY ((SELECT public.parkctl_parks_of(current_user))::bigint[]));
REVOKE ALL ON lease_amendment FROM PUBLIC;
GRANT SELECT ON lease_amendment TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;
GRANT INSERT (park_id, lease_id, signed_on, effective_on, rent, property_fee, end_before, end_after, units_added,
              units_released, note, imported) ON lease_amendment TO parkctl_leasing, parkctl_admin;
CREATE TRIGGER lease_amendment_audit AFTER INSERT OR UPDATE OR DELETE ON lease_amendment
    FOR EACH ROW EXECUTE FUNCTION audit_row_change();

-- 3. What is in force on a day.
-- Rent per m² per month on day d of a rent set from day `since` (the lease's first day,
-- or an amendment's): raised by the lease's escalation at each anniversary of the
-- lease's start after `since`, compounded, rounded to the fen. From the start it is
-- lease_rent_on's figure; the one formula of both.
CREATE FUNCTION lease_rate_from(rent numeric, escalation_pct numeric, start date, since date, d date) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT round(rent * power(1 + escalation_pct / 100,
                              greatest(extract(year FROM age(d, start))::int
                                       - greatest(extract(year FROM age(since, start))::int, 0), 0)), 2)
$$;

-- The rent in force on a day: the latest amendment's from its day, else the lease's own.
CREATE FUNCTION lease_rate_on(p_lease bigint, rent numeric, escalation_pct numeric, start date, d date) RETURNS numeric
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT public.lease_rate_from(coalesce(a.rent, lease_rate_on.rent), escalation_pct, start,
                                  coalesce(a.effective_on, start), d)
    FROM (SELECT NULL) one
    LEFT JOIN LATERAL (
        SELECT x.rent, x.effective_on FROM public.lease_amendment x
        WHERE x.lease_id = p_lease AND x.rent IS NOT NULL AND x.effective_on <= d
        ORDER BY x.effective_on DESC, x.seq DESC LIMIT 1) a ON true
$$;

-- Property fee per m² per month: the latest amendment's from its day, else the lease's.
CREATE FUNCTION lease_property_fee_on(p_lease bigint, property_fee numeric, d date) RETURNS numeric
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        (SELECT a.property_fee FROM public.lease_amendment a
         WHERE a.lease_id = p_lease AND a.property_fee IS NOT NULL AND a.effective_on <= d
         ORDER BY a.effective_on DESC, a.seq DESC LIMIT 1),
        property_fee)
$$;

-- The rent schedule, as in 0003, with the area held each day (units added and
-- released from a day) and the rent and property fee in force each day. The lease's
-- units and amendments are read once (a handful of rows) and each day looks them up
-- there, so that a month of a lease costs no more queries than before.
CREATE OR REPLACE FUNCTION lease_rent_schedule(p_lease bigint, p_from date DEFAULT NULL, p_to date DEFAULT NULL)
RETURNS TABLE (month date, period_start date, period_end date, days int, free_days int,
               rent_per_m2 numeric, rent_due numeric, property_fee_due numeric, area_m2 numeric)
LANGUAGE sql STABLE AS $$
    WITH l AS (
        SELECT l.*, public.lease_occupancy(l.term, l.terminated_on) AS occ
        FROM public.lease l WHERE l.id = p_lease AND l.status <> 'cancelled'
    ), units AS MATERIALIZED (
        SELECT lu.during, u.area_m2 FROM public.lease_unit lu JOIN public.unit u ON u.id = lu.unit_id
        WHERE lu.lease_id = p_lease AND NOT lu.cancelled
    ), amendments AS MATERIALIZED (
        SELECT a.effective_on, a.seq, a.rent, a.property_fee FROM public.lease_amendment a
        WHERE a.lease_id = p_lease AND a.effective_on IS NOT NULL AND (a.rent IS NOT NULL OR a.property_fee IS NOT NULL)
    ), days AS (
        SELECT g::date AS day, l.free_window,
               public.lease_rate_from(coalesce(r.rent, l.rent), l.escalation_pct, lower(l.term),
                                      coalesce(r.effective_on, lower(l.term)), g::date) AS rate,
               coalesce((SELECT a.property_fee FROM amendments a WHERE a.property_fee IS NOT NULL AND a.effective_on <= g::date
                         ORDER BY a.effective_on DESC, a.seq DESC LIMIT 1), l.property_fee) AS fee,
               (SELECT coalesce(sum(u.area_m2), 0) FROM units u WHERE u.during @> g::date) AS area,
               extract(day FROM date_trunc('month', g) + interval '1 month' - interval '1 day')::int AS dim
        FROM l CROSS JOIN generate_series(greatest(lower(l.occ), coalesce(p_from, lower(l.occ))),
                                          least(upper(l.occ) - 1, coalesce(p_to, upper(l.occ) - 1)), interval '1 day') g
        LEFT JOIN LATERAL (
            SELECT a.rent, a.effective_on FROM amendments a WHERE a.rent IS NOT NULL AND a.effective_on <= g::date
            ORDER BY a.effective_on DESC, a.seq DESC LIMIT 1) r ON true
    )
    SELECT date_trunc('month', day)::date, min(day), max(day), count(*)::int,
           (count(*) FILTER (WHERE free_window @> day))::int,
           max(rate),
           round(sum(CASE WHEN free_window @> day THEN 0 ELSE rate * area / dim END), 2),
           round(sum(fee * area / dim), 2),
           max(area)
    FROM days GROUP BY 1 ORDER BY 1
$$;

REVOKE ALL ON FUNCTION lease_rate_from(numeric, numeric, date, date, date), lease_rate_on(bigint, numeric, numeric, date, date),
    lease_property_fee_on(bigint, numeric, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lease_rate_from(numeric, numeric, date, date, date), lease_rate_on(bigint, numeric, numeric, date, date),
    lease_property_fee_on(bigint, numeric, date) TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;

-- A lease is renewed once, by a renewal that is not cancelled: a cancelled renewal
-- (改签) no longer stops the lease from being renewed again.
ALTER TABLE lease DROP CONSTRAINT lease_renewed_once;
CREATE UNIQUE INDEX lease_renewed_once ON lease (renews_lease_id) WHERE status <> 'cancelled';

-- A lease runs at most twenty years (Civil Code art. 705: 租赁期限不得超过二十年). Rows
-- recorded before keep the constraint NOT VALID, with a warning, instead of failing.
ALTER TABLE lease ADD CONSTRAINT lease_term_at_most_20_years
    CHECK (upper(term) <= lower(term) + interval '20 years') NOT VALID;
DO $$
BEGIN
    ALTER TABLE public.lease VALIDATE CONSTRAINT lease_term_at_most_20_years;
EXCEPTION WHEN check_violation THEN
    RAISE WARNING 'some recorded leases run more than 20 years: they stay as they are, new and changed leases are held to it';
END $$;

-- `db check`: the days of signed and terminated leases on which they hold no unit
-- (what lease_units_cover_lease refuses; an older version, or a repair, may have left).
CREATE FUNCTION parkctl_leases_without_units()
RETURNS TABLE (lease text, first_day date, last_day date)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM public.parkctl_require_every_park();
    RETURN QUERY
    SELECT l.number, lower(g), upper(g) - 1
    FROM public.lease l
    CROSS JOIN LATERAL unnest(datemultirange(public.lease_occupancy(l.term, l.terminated_on))
                              - coalesce((SELECT range_agg(lu.during) FILTER (WHERE NOT lu.cancelled)
                                          FROM public.lease_unit lu WHERE lu.lease_id = l.id), '{}'::datemultirange)) g
    WHERE l.status IN ('signed', 'terminated')
    ORDER BY 1, 2;
END $$;
REVOKE ALL ON FUNCTION parkctl_leases_without_units() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parkctl_leases_without_units() TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;
