-- 0033: enterprise statistics (企业统计), issue 19 part 1.
--
-- A zone judges its parks by what their enterprises produce: each tenant files its
-- revenue (营业收入), industrial output (工业总产值), tax paid (纳税额), R&D spend (研发
-- 投入), all in 万元 as the zone's forms have them, and its employees (从业人员, a count
-- at the period's end), for a month, a quarter or a year. A filing is self-reported
-- until an admin verifies it against the tax records; a verified figure that changes is
-- self-reported again, to be verified anew. A park's land (亩) gives its tax per mu
-- (亩均税收).

ALTER TABLE park ADD COLUMN land_mu numeric(12,2) CONSTRAINT park_land_mu_positive CHECK (land_mu > 0 AND land_mu <> 'NaN');

-- The first day of a month, a quarter (January, April, July, October) or a year.
-- A finite day of the years parkctl takes (1900-2999): infinity's parts are NULL, and
-- a CHECK that is NULL passes, so this says false instead.
CREATE FUNCTION enterprise_stat_period_aligned(p_kind text, p_start date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(isfinite(p_start) AND p_start BETWEEN date '1900-01-01' AND date '2999-12-31'
                    AND extract(day FROM p_start) = 1 AND CASE p_kind WHEN 'month' THEN true
                                                                      WHEN 'quarter' THEN extract(month FROM p_start) IN (1, 4, 7, 10)
                                                                      WHEN 'year' THEN extract(month FROM p_start) = 1
                                                                      ELSE false END, false)
$$;

-- The days of a period: [start, start + a month, a quarter or a year).
CREATE FUNCTION enterprise_stat_days(p_kind text, p_start date) RETURNS daterange
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT daterange(p_start, (p_start + CASE p_kind WHEN 'month' THEN interval '1 month' WHEN 'quarter' THEN interval '3 months'
                                                     ELSE interval '1 year' END)::date)
$$;

CREATE TABLE enterprise_stat (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id           bigint NOT NULL REFERENCES park,
    tenant_id         bigint NOT NULL REFERENCES tenant,
    period_kind       text NOT NULL CONSTRAINT enterprise_stat_period_kind_valid CHECK (period_kind IN ('month', 'quarter', 'year')),
    period_start      date NOT NULL,
    -- 万元, exact to the yuan (4 decimals).
    revenue           numeric(16,4) CONSTRAINT enterprise_stat_revenue_not_negative CHECK (revenue >= 0),
    industrial_output numeric(16,4) CONSTRAINT enterprise_stat_output_not_negative CHECK (industrial_output >= 0),
    tax_paid          numeric(16,4) CONSTRAINT enterprise_stat_tax_not_negative CHECK (tax_paid >= 0),
    rd_spend          numeric(16,4) CONSTRAINT enterprise_stat_rd_not_negative CHECK (rd_spend >= 0),
    employees         int CONSTRAINT enterprise_stat_employees_range CHECK (employees BETWEEN 0 AND 1000000),
    source            text NOT NULL DEFAULT 'self_reported'
                      CONSTRAINT enterprise_stat_source_valid CHECK (source IN ('self_reported', 'verified')),
    verified_by       text,
    verified_at       timestamptz,
    note              text CONSTRAINT enterprise_stat_note_length CHECK (note IS NULL OR length(note) BETWEEN 1 AND 500)
                      CONSTRAINT enterprise_stat_note_plain_text CHECK (public.parkctl_is_plain_text(note)),
    actor             text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT enterprise_stat_once_a_period UNIQUE (tenant_id, park_id, period_kind, period_start),
    CONSTRAINT enterprise_stat_park_id_key UNIQUE (park_id, id),
    CONSTRAINT enterprise_stat_period_aligned CHECK (public.enterprise_stat_period_aligned(period_kind, period_start)),
    -- numeric's NaN is above every number: `>= 0` alone would take it.
    CONSTRAINT enterprise_stat_figures_not_nan CHECK (revenue <> 'NaN' AND industrial_output <> 'NaN' AND tax_paid <> 'NaN' AND rd_spend <> 'NaN'),
    CONSTRAINT enterprise_stat_some_figure CHECK (num_nonnulls(revenue, industrial_output, tax_paid, rd_spend, employees) > 0),
    CONSTRAINT enterprise_stat_verified_by_whom CHECK ((source = 'verified') = (verified_by IS NOT NULL AND verified_at IS NOT NULL))
);
CREATE INDEX enterprise_stat_period_idx ON enterprise_stat (park_id, period_kind, period_start);

-- Whether the current role acts as an admin: a member of parkctl_admin, or of the
-- role that owns the tables (the embedded cluster's owner, the tests). One definition
-- for the triggers that let an admin do more (0033, 0036).
CREATE FUNCTION parkctl_acts_as_admin() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT pg_has_role(current_user, 'parkctl_admin', 'MEMBER')
           OR pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = 'public.park'::regclass), 'MEMBER')
$$;
REVOKE ALL ON FUNCTION parkctl_acts_as_admin() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parkctl_acts_as_admin() TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;

-- Who recorded and verified, and when, are the database's: a filing is verified by an
-- admin only, and a verified figure that changes is self-reported again.
CREATE FUNCTION enterprise_stat_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    is_admin boolean := public.parkctl_acts_as_admin();
    verifying boolean;
BEGIN
    IF TG_OP = 'UPDATE' AND (NEW.park_id, NEW.tenant_id, NEW.period_kind, NEW.period_start)
                            IS DISTINCT FROM (OLD.park_id, OLD.tenant_id, OLD.period_kind, OLD.period_start) THEN
        RAISE EXCEPTION 'a filing keeps its enterprise, park and period (record another instead)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'enterprise_stat_kept', TABLE = 'enterprise_stat';
    END IF;
    NEW.actor := public.parkctl_actor();
    NEW.recorded_at := now();
    IF TG_OP = 'INSERT' AND NEW.period_start > public.park_today(NEW.park_id) THEN
        RAISE EXCEPTION 'the period from % has not begun: a filing is of a period under way or past', NEW.period_start
            USING ERRCODE = 'check_violation', CONSTRAINT = 'enterprise_stat_period_begun', TABLE = 'enterprise_stat';
    END IF;
    verifying := NEW.source = 'verified' AND (TG_OP = 'INSERT' OR OLD.source <> 'verified');
    IF TG_OP = 'UPDATE' AND OLD.source = 'verified' AND NOT verifying
       AND (NEW.revenue, NEW.industrial_output, NEW.tax_paid, NEW.rd_spend, NEW.employees)
           IS DISTINCT FROM (OLD.revenue, OLD.industrial_output, OLD.tax_paid, OLD.rd_spend, OLD.employees) THEN
        -- A changed figure is no longer what was verified.
        NEW.source := 'self_reported';
        NEW.verified_by := NULL;
        NEW.verified_at := NULL;
    ELSIF verifying THEN
        IF NOT is_admin THEN
            RAISE EXCEPTION 'a filing is verified by an admin (against the tax records), not by %', public.parkctl_actor()
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        NEW.verified_by := public.parkctl_actor();
        NEW.verified_at := now();
    ELSIF NEW.source = 'verified' THEN
        NEW.verified_by := OLD.verified_by;
        NEW.verified_at := OLD.verified_at;
    ELSE
        NEW.verified_by := NULL;
        NEW.verified_at := NULL;
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION enterprise_stat_guard() FROM PUBLIC;
CREATE TRIGGER enterprise_stat_guard BEFORE INSERT OR UPDATE ON enterprise_stat FOR EACH ROW EXECUTE FUNCTION enterprise_stat_guard();

REVOKE ALL ON FUNCTION enterprise_stat_period_aligned(text, date), enterprise_stat_days(text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enterprise_stat_period_aligned(text, date), enterprise_stat_days(text, date)
    TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;

-- Leasing staff (the enterprise service team) record filings in their parks; admins verify.
SELECT parkctl_register_park_table('enterprise_stat', writers => ARRAY['parkctl_admin', 'parkctl_leasing']);
