-- 0024: the bill run's arithmetic, made cheaper (issue 16's speed targets).
--
-- lease_rate_from was declared IMMUTABLE over a body that is only STABLE: age() of two
-- dates resolves to its timestamptz form, which reads the session's time zone.
-- PostgreSQL does not inline such a function, so each call ran as a statement of its
-- own: a bill run over 100,000 leases spent seconds in 300,000 of them. It now counts
-- on the calendar (age of two timestamps), which is inlined, and which is what the
-- README says (a rise from each anniversary day; through a zone whose midnight was
-- skipped, once, the old form came out an hour short of the year and rose a day late).
-- lease_range_charges keeps its arithmetic; its cut days are no longer deduplicated
-- range by range (a day cut twice makes a run of no days, which owes nothing), and it
-- finds months and anniversaries on the calendar too. A bill run sorts with more
-- memory than an ordinary statement.

-- Whole years from the start to d, counted on the calendar days themselves.
CREATE OR REPLACE FUNCTION lease_rate_from(rent numeric, escalation_pct numeric, start date, since date, d date) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT round(rent * power(1 + escalation_pct / 100,
                              greatest(extract(year FROM age(d::timestamp, start::timestamp))::int
                                       - greatest(extract(year FROM age(since::timestamp, start::timestamp))::int, 0), 0)), 2)
$$;

CREATE OR REPLACE FUNCTION lease_range_charges(p_lease bigint[], p_from date[], p_to date[])
RETURNS TABLE (i int, rent numeric, property_fee numeric)
-- Many rows: the planner hashes a run's periods against them instead of looping.
LANGUAGE sql STABLE ROWS 100000 SET search_path = pg_catalog, public, pg_temp AS $$
    -- Each range with its lease's terms and the area it holds over the whole range (and
    -- whether some unit comes or goes within it). Every later step reads its own row's
    -- columns: a join of two of these sets on i would be planned as a loop (the planner
    -- cannot know how long the arrays are) and take hours at 800,000 leases.
    WITH l AS MATERIALIZED (
        SELECT r.i::int AS i, l.id, l.rent, l.property_fee, l.escalation_pct, l.free_window, lower(l.term) AS start,
               greatest(r.f, lower(o.occ)) AS f, least(r.t, upper(o.occ) - 1) AS t,
               EXISTS (SELECT 1 FROM public.lease_amendment a WHERE a.lease_id = l.id AND a.effective_on IS NOT NULL
                                                                AND (a.rent IS NOT NULL OR a.property_fee IS NOT NULL)) AS amended,
               h.area, h.changes
        FROM unnest(p_lease, p_from, p_to) WITH ORDINALITY AS r(lease_id, f, t, i)
        JOIN public.lease l ON l.id = r.lease_id
        CROSS JOIN LATERAL (SELECT public.lease_occupancy(l.term, l.terminated_on) AS occ) o
        CROSS JOIN LATERAL (
            SELECT coalesce(sum(u.area_m2) FILTER (WHERE lu.during @> greatest(r.f, lower(o.occ)) AND lu.during @> least(r.t, upper(o.occ) - 1)), 0) AS area,
                   coalesce(bool_or(NOT (lu.during @> greatest(r.f, lower(o.occ)) AND lu.during @> least(r.t, upper(o.occ) - 1))
                                    AND lu.during && daterange(greatest(r.f, lower(o.occ)), least(r.t, upper(o.occ) - 1), '[]')), false) AS changes
            FROM public.lease_unit lu JOIN public.unit u ON u.id = lu.unit_id
            WHERE lu.lease_id = l.id AND NOT lu.cancelled) h
        WHERE l.status IN ('signed', 'terminated') AND greatest(r.f, lower(o.occ)) <= least(r.t, upper(o.occ) - 1)
    ), runs AS (
        SELECT c.*, coalesce(lead(c.d) OVER w, c.t + 1) - c.d AS days, date_trunc('month', c.d::timestamp) AS month,
               extract(day FROM date_trunc('month', c.d::timestamp) + interval '1 month' - interval '1 day')::int AS dim
        FROM (
            -- UNION ALL: a day cut twice (a month's first day that is also an anniversary)
            -- makes a run of no days, which owes nothing; no per-range duplicate removal.
            SELECT l.*, x.d FROM l CROSS JOIN LATERAL (
                SELECT l.f AS d
                UNION ALL SELECT m::date FROM generate_series(date_trunc('month', l.f::timestamp) + interval '1 month', l.t::timestamp, interval '1 month') m
                -- An anniversary within the range, and the day after it (a lease from 29 February rises on 1 March).
                UNION ALL SELECT a.d FROM generate_series(greatest(extract(year FROM age(l.f::timestamp, l.start::timestamp))::int, 1),
                                                      extract(year FROM age(l.t::timestamp, l.start::timestamp))::int + 1) y,
                                      LATERAL (VALUES ((l.start + make_interval(years => y))::date),
                                                      ((l.start + make_interval(years => y))::date + 1)) a(d)
                      WHERE l.escalation_pct > 0 AND a.d > l.f AND a.d <= l.t
                UNION ALL SELECT w.d FROM (VALUES (lower(l.free_window)), (upper(l.free_window))) w(d) WHERE w.d > l.f AND w.d <= l.t
                UNION ALL SELECT a.effective_on FROM public.lease_amendment a
                      WHERE l.amended AND a.lease_id = l.id AND a.effective_on > l.f AND a.effective_on <= l.t
                UNION ALL SELECT u.d FROM public.lease_unit lu, LATERAL (VALUES (lower(lu.during)), (upper(lu.during))) u(d)
                      WHERE l.changes AND lu.lease_id = l.id AND NOT lu.cancelled AND u.d > l.f AND u.d <= l.t) x
        ) c
        WINDOW w AS (PARTITION BY c.i ORDER BY c.d)
    ), priced AS (
        SELECT runs.i, runs.days, runs.month, runs.dim, coalesce(runs.free_window @> runs.d, false) AS free,
               CASE WHEN NOT runs.amended THEN public.lease_rate_from(runs.rent, runs.escalation_pct, runs.start, runs.start, runs.d)
                    ELSE (SELECT public.lease_rate_from(coalesce(a.rent, runs.rent), runs.escalation_pct, runs.start,
                                                        coalesce(a.effective_on, runs.start), runs.d)
                          FROM (SELECT NULL) one LEFT JOIN LATERAL (
                              SELECT x.rent, x.effective_on FROM public.lease_amendment x
                              WHERE x.lease_id = runs.id AND x.rent IS NOT NULL AND x.effective_on <= runs.d
                              ORDER BY x.effective_on DESC, x.seq DESC LIMIT 1) a ON true) END AS rate,
               CASE WHEN NOT runs.amended THEN runs.property_fee
                    ELSE coalesce((SELECT x.property_fee FROM public.lease_amendment x
                                   WHERE x.lease_id = runs.id AND x.property_fee IS NOT NULL AND x.effective_on <= runs.d
                                   ORDER BY x.effective_on DESC, x.seq DESC LIMIT 1), runs.property_fee) END AS fee,
               CASE WHEN NOT runs.changes THEN runs.area
                    ELSE (SELECT coalesce(sum(u.area_m2), 0) FROM public.lease_unit lu JOIN public.unit u ON u.id = lu.unit_id
                          WHERE lu.lease_id = runs.id AND NOT lu.cancelled AND lu.during @> runs.d) END AS area
        FROM runs
    )
    -- Each month's days × rate × area summed exactly, divided by its days once. A range
    -- with no day held owes nothing and has no row.
    SELECT m.i, round(sum(m.rent / m.dim), 2), round(sum(m.fee / m.dim), 2)
    FROM (SELECT priced.i, priced.month, priced.dim, sum(CASE WHEN free THEN 0 ELSE days * rate * area END) AS rent,
                 sum(days * fee * area) AS fee
          FROM priced GROUP BY priced.i, priced.month, priced.dim) m
    GROUP BY m.i
$$;

-- The run's sorts (its periods in number order, their runs of days) stay in memory up
-- to a modest size; set on the run alone, so no other statement's limit moves.
ALTER FUNCTION bill_run(date, bigint, bigint) SET work_mem = '64MB';
