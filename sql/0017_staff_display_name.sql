-- 0017: a display name for each member of staff (李雷), shown beside the login in
-- the audit trail and the ticket timelines. Logins stay lower-case ASCII (they are
-- PostgreSQL roles and go into .pgpass and service files).
ALTER TABLE staff ADD COLUMN display_name text
    CONSTRAINT staff_display_name_length CHECK (display_name = btrim(display_name) AND length(display_name) BETWEEN 1 AND 50)
    CONSTRAINT staff_display_name_plain_text CHECK (public.parkctl_is_plain_text(display_name))
    -- Shown beside logins: no brackets that could imitate "name (login)", and no
    -- invisible characters (zero-width spaces and joiners, soft hyphen, BOM).
    CONSTRAINT staff_display_name_plain CHECK (display_name !~ '[()（）\u00ad\u200b-\u200f\u2060-\u2064\ufeff]');

-- Sets (or with NULL removes) the display name of a member of staff: the owner and
-- admins, and an admin of some parks only for staff whose parks lie within theirs.
CREATE FUNCTION parkctl_staff_set_display_name(p_name text, p_display_name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    mine bigint[] := public.parkctl_parks_of(session_user);
    s public.staff;
BEGIN
    IF NOT (public.parkctl_is_owner(session_user) OR pg_catalog.pg_has_role(session_user, 'parkctl_admin', 'MEMBER')) THEN
        RAISE EXCEPTION 'only admins name staff' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO s FROM public.staff WHERE name = p_name AND revoked_at IS NULL FOR UPDATE;
    IF NOT FOUND OR (mine IS NOT NULL AND (s.park_ids IS NULL OR NOT s.park_ids <@ mine)) THEN
        RAISE EXCEPTION 'no staff named %', p_name USING ERRCODE = 'no_data_found';
    END IF;
    -- Nor the name of a login (a display name "all_admin" on someone else).
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE lower(r.rolname) = lower(btrim(p_display_name))) THEN
        RAISE EXCEPTION 'display name % is the name of a login', p_display_name
            USING ERRCODE = 'check_violation', CONSTRAINT = 'staff_display_name_not_a_login';
    END IF;
    UPDATE public.staff SET display_name = p_display_name WHERE name = p_name;
END $$;
REVOKE ALL ON FUNCTION parkctl_staff_set_display_name(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parkctl_staff_set_display_name(text, text) TO parkctl_admin;

-- The display name of a login, for the timelines (the actor itself stays the login);
-- NULL when it has none, or when it is staff outside the caller's parks (the staff
-- table is read by admins only, and a scoped admin sees staff within its parks).
CREATE FUNCTION parkctl_actor_name(p_actor text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT s.display_name FROM public.staff s
    WHERE s.name = p_actor
      AND (public.parkctl_parks_of(session_user) IS NULL OR s.park_ids IS NULL
           OR s.park_ids && public.parkctl_parks_of(session_user))
$$;
REVOKE ALL ON FUNCTION parkctl_actor_name(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parkctl_actor_name(text) TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;
