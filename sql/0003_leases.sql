-- 0003: leases. A lease gives one tenant one or more units of one park for a term.
-- Occupancy is never stored: it is derived from leases, as of any date.

CREATE SEQUENCE lease_number_seq;

CREATE TABLE lease (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number           text NOT NULL CONSTRAINT lease_number_key UNIQUE
                     CONSTRAINT lease_number_format CHECK (number ~ '^L-[0-9]{4}-[0-9]{6,}$'),
    park_id          bigint NOT NULL REFERENCES park,
    tenant_id        bigint NOT NULL REFERENCES tenant,
    -- The contracted term, [start, end + 1).
    term             daterange NOT NULL CONSTRAINT lease_term_bounded
                     CHECK (NOT isempty(term) AND NOT lower_inf(term) AND NOT upper_inf(term)),
    -- The last day of a lease ended early; the units are free from the next day.
    terminated_on    date,
    rent             numeric(12,2) NOT NULL CONSTRAINT lease_rent_positive CHECK (rent > 0),
    property_fee     numeric(12,2) NOT NULL DEFAULT 0 CONSTRAINT lease_property_fee_not_negative CHECK (property_fee >= 0),
    free_window      daterange CONSTRAINT lease_free_window_in_term CHECK (free_window IS NULL OR (NOT isempty(free_window) AND free_window <@ term)),
    fit_out_window   daterange CONSTRAINT lease_fit_out_window_in_term CHECK (fit_out_window IS NULL OR (NOT isempty(fit_out_window) AND fit_out_window <@ term)),
    deposit          numeric(14,2) NOT NULL DEFAULT 0 CONSTRAINT lease_deposit_not_negative CHECK (deposit >= 0),
    escalation_pct   numeric(5,2) NOT NULL DEFAULT 0 CONSTRAINT lease_escalation_range CHECK (escalation_pct BETWEEN 0 AND 100),
    cycle            text NOT NULL DEFAULT 'monthly' CONSTRAINT lease_cycle_valid
                     CHECK (cycle IN ('monthly', 'quarterly', 'semiannual', 'annual')),
    status           text NOT NULL DEFAULT 'signed' CONSTRAINT lease_status_valid
                     CHECK (status IN ('draft', 'signed', 'terminated', 'cancelled')),
    renews_lease_id  bigint REFERENCES lease,
    end_reason       text,
    signed_at        timestamptz NOT NULL DEFAULT now(),
    sys_period       tstzrange NOT NULL DEFAULT tstzrange(now(), NULL),
    CONSTRAINT lease_terminated_in_term CHECK (terminated_on IS NULL OR (status = 'terminated' AND term @> terminated_on)),
    CONSTRAINT lease_renewed_once UNIQUE (renews_lease_id),
    UNIQUE (park_id, id)
);
CREATE INDEX lease_tenant_idx ON lease (tenant_id);
CREATE INDEX lease_park_end_idx ON lease (park_id, upper(term));

-- The days a lease holds its units: the term, or up to the termination day.
CREATE FUNCTION lease_occupancy(term daterange, terminated_on date) RETURNS daterange
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN terminated_on IS NULL THEN term ELSE daterange(lower(term), terminated_on + 1) END
$$;

CREATE TABLE lease_unit (
    park_id     bigint NOT NULL,
    lease_id    bigint NOT NULL,
    unit_id     bigint NOT NULL,
    -- Copies of the lease's occupancy and whether it is cancelled, kept in step by a
    -- trigger, so that the exclusion constraint can see them on this row.
    during      daterange NOT NULL,
    cancelled   boolean NOT NULL DEFAULT false,
    sys_period  tstzrange NOT NULL DEFAULT tstzrange(now(), NULL),
    PRIMARY KEY (lease_id, unit_id),
    FOREIGN KEY (park_id, lease_id) REFERENCES lease (park_id, id),
    -- A unit of another park cannot be on the lease.
    FOREIGN KEY (park_id, unit_id) REFERENCES unit (park_id, id),
    -- No unit is ever leased twice for the same day.
    CONSTRAINT lease_unit_no_overlap EXCLUDE USING gist (unit_id WITH =, during WITH &&) WHERE (NOT cancelled)
);
CREATE INDEX lease_unit_unit_idx ON lease_unit USING gist (unit_id, during);

CREATE FUNCTION lease_sync_units() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.term IS DISTINCT FROM OLD.term OR NEW.terminated_on IS DISTINCT FROM OLD.terminated_on
       OR NEW.status IS DISTINCT FROM OLD.status THEN
        UPDATE lease_unit SET during = lease_occupancy(NEW.term, NEW.terminated_on), cancelled = (NEW.status = 'cancelled')
        WHERE lease_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER lease_sync_units AFTER UPDATE ON lease FOR EACH ROW EXECUTE FUNCTION lease_sync_units();

-- History: each change keeps the version it replaces, with the period during which
-- it was the recorded truth, so a report can be reproduced as recorded on a past day.
CREATE TABLE lease_history (LIKE lease);
CREATE TABLE lease_unit_history (LIKE lease_unit);
CREATE INDEX lease_history_id_idx ON lease_history (id);
CREATE INDEX lease_unit_history_lease_idx ON lease_unit_history (lease_id);

CREATE FUNCTION lease_keep_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A version made earlier in this same transaction was never seen: keep none.
    IF lower(OLD.sys_period) < now() THEN
        OLD.sys_period := tstzrange(lower(OLD.sys_period), now());
        INSERT INTO lease_history SELECT OLD.*;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        NEW.sys_period := tstzrange(now(), NULL);
        RETURN NEW;
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER lease_keep_history BEFORE UPDATE OR DELETE ON lease FOR EACH ROW EXECUTE FUNCTION lease_keep_history();

CREATE FUNCTION lease_unit_keep_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF lower(OLD.sys_period) < now() THEN
        OLD.sys_period := tstzrange(lower(OLD.sys_period), now());
        INSERT INTO lease_unit_history SELECT OLD.*;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        NEW.sys_period := tstzrange(now(), NULL);
        RETURN NEW;
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER lease_unit_keep_history BEFORE UPDATE OR DELETE ON lease_unit FOR EACH ROW EXECUTE FUNCTION lease_unit_keep_history();

-- The leases and lease units as they were recorded at an instant.
CREATE FUNCTION lease_as_recorded(at timestamptz) RETURNS SETOF lease LANGUAGE sql STABLE AS $$
    SELECT * FROM lease WHERE sys_period @> at
    UNION ALL
    SELECT * FROM lease_history WHERE sys_period @> at
$$;
CREATE FUNCTION lease_unit_as_recorded(at timestamptz) RETURNS SETOF lease_unit LANGUAGE sql STABLE AS $$
    SELECT * FROM lease_unit WHERE sys_period @> at
    UNION ALL
    SELECT * FROM lease_unit_history WHERE sys_period @> at
$$;

-- The status of every unit as of a day: leased when a signed or terminated lease
-- covers the day (fitting_out inside its fit-out window), else reserved when a
-- signed lease starts later, else off_market when flagged, else vacant.
CREATE FUNCTION unit_status_on(d date)
RETURNS TABLE (unit_id bigint, park_id bigint, status text, fitting_out boolean, lease_id bigint)
LANGUAGE sql STABLE AS $$
    SELECT u.id, u.park_id,
           CASE WHEN cur.lease_id IS NOT NULL THEN 'leased'
                WHEN fut.lease_id IS NOT NULL THEN 'reserved'
                WHEN u.off_market_reason IS NOT NULL THEN 'off_market'
                ELSE 'vacant' END,
           coalesce(cur.fit_out_window @> d, false),
           coalesce(cur.lease_id, fut.lease_id)
    FROM unit u
    LEFT JOIN LATERAL (
        SELECT lu.lease_id, l.fit_out_window FROM lease_unit lu JOIN lease l ON l.id = lu.lease_id
        WHERE lu.unit_id = u.id AND NOT lu.cancelled AND lu.during @> d AND l.status IN ('signed', 'terminated')
        LIMIT 1) cur ON true
    LEFT JOIN LATERAL (
        SELECT lu.lease_id FROM lease_unit lu JOIN lease l ON l.id = lu.lease_id
        WHERE lu.unit_id = u.id AND NOT lu.cancelled AND lower(lu.during) > d AND l.status = 'signed'
        ORDER BY lower(lu.during) LIMIT 1) fut ON true
$$;

-- The same, from the leases as they were recorded at an instant.
CREATE FUNCTION unit_status_as_recorded(d date, at timestamptz)
RETURNS TABLE (unit_id bigint, park_id bigint, status text, fitting_out boolean, lease_id bigint)
LANGUAGE sql STABLE AS $$
    WITH l AS (SELECT * FROM lease_as_recorded(at)), lu AS (SELECT * FROM lease_unit_as_recorded(at))
    SELECT u.id, u.park_id,
           CASE WHEN cur.lease_id IS NOT NULL THEN 'leased'
                WHEN fut.lease_id IS NOT NULL THEN 'reserved'
                WHEN u.off_market_reason IS NOT NULL THEN 'off_market'
                ELSE 'vacant' END,
           coalesce(cur.fit_out_window @> d, false),
           coalesce(cur.lease_id, fut.lease_id)
    FROM unit u
    LEFT JOIN LATERAL (
        SELECT lu.lease_id, l.fit_out_window FROM lu JOIN l ON l.id = lu.lease_id
        WHERE lu.unit_id = u.id AND NOT lu.cancelled AND lu.during @> d AND l.status IN ('signed', 'terminated')
        LIMIT 1) cur ON true
    LEFT JOIN LATERAL (
        SELECT lu.lease_id FROM lu JOIN l ON l.id = lu.lease_id
        WHERE lu.unit_id = u.id AND NOT lu.cancelled AND lower(lu.during) > d AND l.status = 'signed'
        ORDER BY lower(lu.during) LIMIT 1) fut ON true
    WHERE u.created_at <= at
$$;

-- Rent in force on a day: the base rent raised by escalation_pct at each
-- anniversary of the start, compounded, rounded to the fen (0.01 元) each year.
CREATE FUNCTION lease_rent_on(rent numeric, escalation_pct numeric, start date, d date) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT round(rent * power(1 + escalation_pct / 100, greatest(extract(year FROM age(d, start)), 0)::int), 2)
$$;

-- The rent schedule of a lease: for each calendar month of its occupancy, the rent
-- and property fee due. Partial months are prorated by days (monthly amount ×
-- days ÷ days in the month); days in the rent-free window owe no rent (the property
-- fee is still due); escalation applies from each anniversary day.
CREATE FUNCTION lease_rent_schedule(p_lease bigint, p_from date DEFAULT NULL, p_to date DEFAULT NULL)
RETURNS TABLE (month date, period_start date, period_end date, days int, free_days int,
               rent_per_m2 numeric, rent_due numeric, property_fee_due numeric, area_m2 numeric)
LANGUAGE sql STABLE AS $$
    WITH l AS (
        SELECT l.*, lease_occupancy(l.term, l.terminated_on) AS occ,
               (SELECT sum(u.area_m2) FROM lease_unit lu JOIN unit u ON u.id = lu.unit_id WHERE lu.lease_id = l.id) AS area
        FROM lease l WHERE l.id = p_lease AND l.status <> 'cancelled'
    ), days AS (
        SELECT g::date AS day, l.*,
               lease_rent_on(l.rent, l.escalation_pct, lower(l.term), g::date) AS rate,
               extract(day FROM date_trunc('month', g) + interval '1 month' - interval '1 day')::int AS dim
        FROM l, generate_series(greatest(lower(l.occ), coalesce(p_from, lower(l.occ))),
                                least(upper(l.occ) - 1, coalesce(p_to, upper(l.occ) - 1)), interval '1 day') g
    )
    SELECT date_trunc('month', day)::date, min(day), max(day), count(*)::int,
           (count(*) FILTER (WHERE free_window @> day))::int,
           max(rate),
           round(sum(CASE WHEN free_window @> day THEN 0 ELSE rate * area / dim END), 2),
           round(sum(property_fee * area / dim), 2),
           max(area)
    FROM days GROUP BY 1 ORDER BY 1
$$;

-- The tables above belong to a park and are audited like the rest; the audit
-- label of a lease is its number, the key of a lease unit its lease and unit.
CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_j jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_j jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    j     jsonb := coalesce(new_j, old_j);
BEGIN
    INSERT INTO audit_log (actor, table_name, row_key, label, action, park_id, old_row, new_row)
    VALUES (coalesce(nullif(current_setting('parkctl.actor', true), ''), session_user),
            TG_TABLE_NAME,
            coalesce(j->>'id', j->>'onboarding_id' || '/' || (j->>'item'), j->>'lease_id' || '/' || (j->>'unit_id')),
            coalesce(j->>'number', j->>'credit_code', j->>'code', j->>'item', j->>'to_stage', j->>'stage'),
            lower(TG_OP),
            CASE WHEN TG_TABLE_NAME = 'park' THEN (j->>'id')::bigint ELSE (j->>'park_id')::bigint END,
            old_j, new_j);
    RETURN NULL;
END $$;

CREATE TRIGGER lease_audit AFTER INSERT OR UPDATE OR DELETE ON lease FOR EACH ROW EXECUTE FUNCTION audit_row_change();
CREATE TRIGGER lease_unit_audit AFTER INSERT OR UPDATE OR DELETE ON lease_unit FOR EACH ROW EXECUTE FUNCTION audit_row_change();
