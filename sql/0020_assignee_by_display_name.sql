-- 0020: a ticket is assigned to a member of staff by display name too (`ticket
-- assign --to 王芳`, issue 14): the logins that go by a display name, among the staff
-- the caller may see (the rule of parkctl_actor_name, read the other way).
CREATE FUNCTION parkctl_staff_named(p_display_name text) RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT s.name FROM public.staff s
    WHERE s.display_name = p_display_name AND s.revoked_at IS NULL
      AND (public.parkctl_parks_of(session_user) IS NULL OR s.park_ids IS NULL
           OR s.park_ids && public.parkctl_parks_of(session_user))
    ORDER BY s.name
$$;
REVOKE ALL ON FUNCTION parkctl_staff_named(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parkctl_staff_named(text) TO parkctl_admin, parkctl_leasing, parkctl_service, parkctl_viewer;
