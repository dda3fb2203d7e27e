-- 0017: a display name for each member of staff (李雷), shown beside the login in
-- the audit trail and the ticket timelines. Logins stay lower-case ASCII (they are
-- PostgreSQL roles and go into .pgpass and service files).
ALTER TABLE staff ADD COLUMN display_name text
    CONSTRAINT staff_display_name_length CHECK (display_name = btrim(display_name) AND length(display_name) BETWEEN 1 AND 50)
    CONSTRAINT staff_display_name_plain_text CHECK (public.parkctl_is_plain_text(display_name));

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
    UPDATE public.staff SET display_name = p_display_name WHERE name = p_name;
END $$;
REVOKE ALL ON FUNCTION parkctl_staff_set_display_name(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parkctl_staff_set_display_name(text, text) TO parkctl_admin;

-- "李雷 (li_lei)" for a login with a display name, else the actor as recorded. Staff
-- other than admins cannot read the staff table; the display names are no secret.
CREATE FUNCTION parkctl_actor_label(p_actor text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce((SELECT s.display_name || ' (' || s.name || ')' FROM public.staff s
                     WHERE s.name = p_actor AND s.display_name IS NOT NULL), p_actor)
$$;
REVOKE ALL ON FUNCTION parkctl_actor_label(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parkctl_actor_label(text) TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;
