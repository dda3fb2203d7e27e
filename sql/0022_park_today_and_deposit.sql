-- 0022: one definition of a park's "today", and the deposit's money rule in the database.
--
-- A park keeps its days in its own time zone (park.time_zone); a report over every
-- park, which has no single park, uses the group's default zone (parkctl_setting
-- default_time_zone). parkctl wrote `(now() AT TIME ZONE 'Asia/Shanghai')::date` in
-- fifteen places; from here it asks park_today(park), and a ticket's hours count in
-- its own park's zone, park_time_zone(park).

-- The day it is now in a zone. The one formula, for a query that has the park's row at
-- hand: park_local_date(p.time_zone). Built-ins only and no settings of its own, so
-- that the planner inlines it (a function call per row of a listing would cost a
-- sub-query and the park's row-level security each time).
CREATE FUNCTION park_local_date(p_time_zone text) RETURNS date
LANGUAGE sql STABLE AS $$
    SELECT (now() AT TIME ZONE p_time_zone)::date
$$;

CREATE FUNCTION park_time_zone(p_park bigint) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce((SELECT p.time_zone FROM public.park p WHERE p.id = p_park),
                    (SELECT s.value FROM public.parkctl_setting s WHERE s.key = 'default_time_zone'))
$$;

CREATE FUNCTION park_today(p_park bigint) RETURNS date
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT public.park_local_date(public.park_time_zone(p_park))
$$;

REVOKE ALL ON FUNCTION park_local_date(text), park_time_zone(bigint), park_today(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION park_local_date(text), park_time_zone(bigint), park_today(bigint)
    TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;

-- A park's time zone is a named zone (Asia/Shanghai, or UTC), not any string
-- PostgreSQL takes: a POSIX rule such as 'XXX-167' (or 'Asia/Shanghai-167', which
-- has no zone file and so is read as a rule too) moved a park's "today" a week
-- ahead, and with it the days steps and amendments may take effect and the service
-- clock. A name is Area/Location of the tz database, without digits but in
-- Etc/GMT±N, not its posix/ or right/ copies, that PostgreSQL knows, and no more than
-- 14 hours from UTC; checked by shape and by use, since pg_timezone_names reads every
-- zone file (40 ms a park).
CREATE OR REPLACE FUNCTION park_time_zone_known() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NEW.time_zone !~ '^(UTC|Etc/GMT[+-]([0-9]|1[0-4])|[A-Z][A-Za-z_]+(/[A-Za-z_][A-Za-z_-]*)+)$'
       OR NEW.time_zone ~* '^(posix|right)/'
       OR abs(extract(epoch FROM (now() AT TIME ZONE NEW.time_zone) - (now() AT TIME ZONE 'UTC'))) > 14 * 3600 THEN
        RAISE EXCEPTION 'time zone % is not a named zone', NEW.time_zone
            USING ERRCODE = 'check_violation', CONSTRAINT = 'park_time_zone_known', TABLE = 'park', COLUMN = 'time_zone';
    END IF;
    PERFORM now() AT TIME ZONE NEW.time_zone;
    RETURN NEW;
EXCEPTION WHEN invalid_parameter_value THEN
    RAISE EXCEPTION 'time zone % is not known', NEW.time_zone
        USING ERRCODE = 'check_violation', CONSTRAINT = 'park_time_zone_known', TABLE = 'park', COLUMN = 'time_zone';
END $$;

-- Money is computed in the database, exact (numeric), rounded once, half up, to the
-- fen where the rule says; Swift checks the shape of amounts typed and prints them.
-- The rent schedule always was (lease_rent_schedule); the deposit given in months was
-- computed in Swift. A deposit of `months` months of the starting rent: months × rent
-- (元/m²/month) × the units' area in m², rounded to the fen.
CREATE FUNCTION lease_deposit_for_months(p_months numeric, p_rent numeric, p_units bigint[]) RETURNS numeric
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT round(p_months * p_rent * coalesce(sum(u.area_m2), 0), 2) FROM public.unit u WHERE u.id = ANY (p_units)
$$;
REVOKE ALL ON FUNCTION lease_deposit_for_months(numeric, numeric, bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lease_deposit_for_months(numeric, numeric, bigint[]) TO parkctl_admin, parkctl_leasing;
