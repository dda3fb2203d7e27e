-- 0022: one definition of a park's "today", and the deposit's money rule in the database.
--
-- A park keeps its days in its own time zone (park.time_zone); a report over every
-- park, which has no single park, uses the group's default zone (parkctl_setting
-- default_time_zone). parkctl wrote `(now() AT TIME ZONE 'Asia/Shanghai')::date` in
-- fifteen places; from here it asks park_today(park), and a ticket's hours count in
-- its own park's zone, park_time_zone(park).

CREATE FUNCTION park_time_zone(p_park bigint) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce((SELECT p.time_zone FROM public.park p WHERE p.id = p_park),
                    (SELECT s.value FROM public.parkctl_setting s WHERE s.key = 'default_time_zone'))
$$;

CREATE FUNCTION park_today(p_park bigint) RETURNS date
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT (now() AT TIME ZONE public.park_time_zone(p_park))::date
$$;

REVOKE ALL ON FUNCTION park_time_zone(bigint), park_today(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION park_time_zone(bigint), park_today(bigint)
    TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;

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
