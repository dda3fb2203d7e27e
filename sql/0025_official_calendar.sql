-- 0025: the State Council's holiday arrangements built in (issue 17, section 4).
--
-- Every year the State Council's general office publishes the year's public holidays
-- and the weekend days worked in exchange (国务院办公厅关于部分节假日安排的通知). A
-- group-wide calendar day loaded from such a notice names it in `source`; a year is
-- "arranged" when it has such a day. Service-level clocks that reach into a year
-- with no arrangement say so (calendar_years_unarranged) instead of silently treating
-- its Spring Festival as working days. `parkctl calendar update FILE` loads a newer
-- year in the same CSV shape as the rows below (date,kind,name).

ALTER TABLE calendar_day
    ADD COLUMN source text
        CONSTRAINT calendar_day_source_length CHECK (length(btrim(source)) BETWEEN 1 AND 200)
        CONSTRAINT calendar_day_source_plain_text CHECK (public.parkctl_is_plain_text(source, false)),
    -- An arrangement is the whole group's: a park's own days are its own.
    ADD CONSTRAINT calendar_day_source_group_wide CHECK (source IS NULL OR park_id IS NULL);

-- The years from p_from's to p_to's with no official arrangement loaded, in order.
CREATE FUNCTION calendar_years_unarranged(p_from date, p_to date) RETURNS int[]
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce(array_agg(y ORDER BY y), '{}')
    FROM generate_series(extract(year FROM least(p_from, p_to))::int, extract(year FROM greatest(p_from, p_to))::int) y
    WHERE NOT EXISTS (SELECT 1 FROM public.calendar_day c
                      WHERE c.park_id IS NULL AND c.source IS NOT NULL
                        AND c.day >= make_date(y, 1, 1) AND c.day < make_date(y + 1, 1, 1))
$$;
REVOKE ALL ON FUNCTION calendar_years_unarranged(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION calendar_years_unarranged(date, date) TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;

-- 2025: 国办发明电〔2024〕12号 (published 12 November 2024); 2026: the notice of
-- 4 November 2025 (新华社). A day the group recorded by hand already stays as
-- it is: the group decided it (calendar list shows it with no source).
INSERT INTO calendar_day (park_id, day, kind, name, source)
SELECT NULL::bigint, d::date, k, n, s FROM (VALUES
    ('2025-01-01', 'holiday', '元旦'),
    ('2025-01-26', 'workday', '春节调休上班'),
    ('2025-01-28', 'holiday', '春节'), ('2025-01-29', 'holiday', '春节'), ('2025-01-30', 'holiday', '春节'),
    ('2025-01-31', 'holiday', '春节'), ('2025-02-01', 'holiday', '春节'), ('2025-02-02', 'holiday', '春节'),
    ('2025-02-03', 'holiday', '春节'), ('2025-02-04', 'holiday', '春节'),
    ('2025-02-08', 'workday', '春节调休上班'),
    ('2025-04-04', 'holiday', '清明节'), ('2025-04-05', 'holiday', '清明节'), ('2025-04-06', 'holiday', '清明节'),
    ('2025-04-27', 'workday', '劳动节调休上班'),
    ('2025-05-01', 'holiday', '劳动节'), ('2025-05-02', 'holiday', '劳动节'), ('2025-05-03', 'holiday', '劳动节'),
    ('2025-05-04', 'holiday', '劳动节'), ('2025-05-05', 'holiday', '劳动节'),
    ('2025-05-31', 'holiday', '端午节'), ('2025-06-01', 'holiday', '端午节'), ('2025-06-02', 'holiday', '端午节'),
    ('2025-09-28', 'workday', '国庆节调休上班'),
    ('2025-10-01', 'holiday', '国庆节、中秋节'), ('2025-10-02', 'holiday', '国庆节、中秋节'), ('2025-10-03', 'holiday', '国庆节、中秋节'),
    ('2025-10-04', 'holiday', '国庆节、中秋节'), ('2025-10-05', 'holiday', '国庆节、中秋节'), ('2025-10-06', 'holiday', '国庆节、中秋节'),
    ('2025-10-07', 'holiday', '国庆节、中秋节'), ('2025-10-08', 'holiday', '国庆节、中秋节'),
    ('2025-10-11', 'workday', '国庆节调休上班')
) AS v(d, k, n), (VALUES ('国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）')) AS src(s)
UNION ALL
SELECT NULL::bigint, d::date, k, n, s FROM (VALUES
    ('2026-01-01', 'holiday', '元旦'), ('2026-01-02', 'holiday', '元旦'), ('2026-01-03', 'holiday', '元旦'),
    ('2026-01-04', 'workday', '元旦调休上班'),
    ('2026-02-14', 'workday', '春节调休上班'),
    ('2026-02-15', 'holiday', '春节'), ('2026-02-16', 'holiday', '春节'), ('2026-02-17', 'holiday', '春节'),
    ('2026-02-18', 'holiday', '春节'), ('2026-02-19', 'holiday', '春节'), ('2026-02-20', 'holiday', '春节'),
    ('2026-02-21', 'holiday', '春节'), ('2026-02-22', 'holiday', '春节'), ('2026-02-23', 'holiday', '春节'),
    ('2026-02-28', 'workday', '春节调休上班'),
    ('2026-04-04', 'holiday', '清明节'), ('2026-04-05', 'holiday', '清明节'), ('2026-04-06', 'holiday', '清明节'),
    ('2026-05-01', 'holiday', '劳动节'), ('2026-05-02', 'holiday', '劳动节'), ('2026-05-03', 'holiday', '劳动节'),
    ('2026-05-04', 'holiday', '劳动节'), ('2026-05-05', 'holiday', '劳动节'),
    ('2026-05-09', 'workday', '劳动节调休上班'),
    ('2026-06-19', 'holiday', '端午节'), ('2026-06-20', 'holiday', '端午节'), ('2026-06-21', 'holiday', '端午节'),
    ('2026-09-20', 'workday', '国庆节调休上班'),
    ('2026-09-25', 'holiday', '中秋节'), ('2026-09-26', 'holiday', '中秋节'), ('2026-09-27', 'holiday', '中秋节'),
    ('2026-10-01', 'holiday', '国庆节'), ('2026-10-02', 'holiday', '国庆节'), ('2026-10-03', 'holiday', '国庆节'),
    ('2026-10-04', 'holiday', '国庆节'), ('2026-10-05', 'holiday', '国庆节'), ('2026-10-06', 'holiday', '国庆节'),
    ('2026-10-07', 'holiday', '国庆节'),
    ('2026-10-10', 'workday', '国庆节调休上班')
) AS v(d, k, n), (VALUES ('国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）')) AS src(s)
ON CONFLICT (coalesce(park_id, 0), day) DO NOTHING;

-- Urgent repair, network and security tickets run round the clock by default: a door
-- broken at 23:40 is not due at 09:00. Only the group's defaults as shipped change; a
-- target an administrator has set stays as it is.
UPDATE service_level SET clock = '24x7'
WHERE priority = 'urgent' AND category IN ('repair', 'network', 'security') AND clock = 'working'
  AND (response_value, response_unit, resolution_value, resolution_unit) = (0.5, 'h', 4, 'h');
