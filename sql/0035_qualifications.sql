-- 0035: enterprises' qualifications (企业资质), issue 19 part 2.
--
-- A zone counts its 高新技术企业, 专精特新, 科技型中小企业, 规上企业 and 瞪羚企业, and a park
-- helps its tenants renew before a certificate lapses. A qualification is a tenant's,
-- recorded by a park it applied to: its kind (a named one by code, or a park's own kind
-- by its name), the certificate's number, and the days it is valid (open-ended for a
-- status with no certificate, 规上 say). A renewal may overlap the certificate it renews
-- (the new one is issued before the old one lapses); a certificate's number is one
-- company's, and the same kind and days are not recorded twice.

CREATE TABLE qualification (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    park_id      bigint NOT NULL REFERENCES park,
    tenant_id    bigint NOT NULL REFERENCES tenant,
    kind         text NOT NULL CONSTRAINT qualification_kind_length CHECK (length(btrim(kind)) BETWEEN 1 AND 40)
                 CONSTRAINT qualification_kind_plain_text CHECK (public.parkctl_is_plain_text(kind)),
    certificate  text CONSTRAINT qualification_certificate_length CHECK (certificate IS NULL OR length(btrim(certificate)) BETWEEN 1 AND 100)
                 CONSTRAINT qualification_certificate_plain_text CHECK (public.parkctl_is_plain_text(certificate)),
    -- Finite days of the years parkctl takes (an 'infinity' bound is a value, not an open end).
    valid        daterange NOT NULL CONSTRAINT qualification_valid_bounded CHECK (
                     NOT isempty(valid) AND NOT lower_inf(valid) AND lower(valid) BETWEEN date '1900-01-01' AND date '2999-12-31'
                     AND (upper_inf(valid) OR upper(valid) BETWEEN date '1900-01-02' AND date '3000-01-01')),
    note         text CONSTRAINT qualification_note_length CHECK (note IS NULL OR length(note) BETWEEN 1 AND 500)
                 CONSTRAINT qualification_note_plain_text CHECK (public.parkctl_is_plain_text(note)),
    actor        text NOT NULL DEFAULT public.parkctl_actor(),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT qualification_park_id_key UNIQUE (park_id, id),
    CONSTRAINT qualification_once UNIQUE (park_id, tenant_id, kind, valid)
);
-- A certificate is one company's: within a park (each park records its own tenants').
CREATE UNIQUE INDEX qualification_certificate_key ON qualification (park_id, kind, certificate) WHERE certificate IS NOT NULL;
CREATE INDEX qualification_tenant_idx ON qualification (tenant_id);

-- Who recorded it and when are the database's.
CREATE FUNCTION qualification_recorded() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    NEW.actor := public.parkctl_actor();
    NEW.recorded_at := now();
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION qualification_recorded() FROM PUBLIC;
CREATE TRIGGER qualification_recorded BEFORE INSERT OR UPDATE ON qualification FOR EACH ROW EXECUTE FUNCTION qualification_recorded();

SELECT parkctl_register_park_table('qualification', writers => ARRAY['parkctl_admin', 'parkctl_leasing']);
