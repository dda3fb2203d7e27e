-- 0034: a utility bill is taxed at its kind's rate (issue 18's accountant review).
--
-- China's VAT on supplied water, gas and heat is 9 %, on electricity 13 %; 0023 had one
-- rate for every utility bill, so a water bill was invoiced at 13 %. The park keeps a
-- rate per kind: `utility_tax_rate` stays electricity's (and any utility bill that no
-- period issued), water, gas and heat have their own, 9 % unless the park says so. A
-- utility bill's kind is its period's; a correction or late fee of it is taxed as it.

ALTER TABLE park
    ADD COLUMN water_tax_rate numeric(5,4) NOT NULL DEFAULT 0.09
        CONSTRAINT park_water_tax_rate_range CHECK (water_tax_rate BETWEEN 0 AND 0.5),
    ADD COLUMN gas_tax_rate numeric(5,4) NOT NULL DEFAULT 0.09
        CONSTRAINT park_gas_tax_rate_range CHECK (gas_tax_rate BETWEEN 0 AND 0.5),
    ADD COLUMN heat_tax_rate numeric(5,4) NOT NULL DEFAULT 0.09
        CONSTRAINT park_heat_tax_rate_range CHECK (heat_tax_rate BETWEEN 0 AND 0.5);

CREATE OR REPLACE FUNCTION bill_tax_rate(p_bill bigint) RETURNS numeric
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT CASE k.kind WHEN 'water' THEN p.water_tax_rate WHEN 'gas' THEN p.gas_tax_rate WHEN 'heat' THEN p.heat_tax_rate
                       ELSE public.park_tax_rate(b.park_id, coalesce(s.fee, b.fee)) END
    FROM public.bill b JOIN public.park p ON p.id = b.park_id
    LEFT JOIN public.bill s ON s.id = b.source_bill_id
    LEFT JOIN LATERAL (SELECT u.kind FROM public.utility_period_lease l JOIN public.utility_period u ON u.id = l.period_id
                       WHERE l.bill_id = coalesce(s.id, b.id) AND coalesce(s.fee, b.fee) = 'utility' LIMIT 1) k ON true
    WHERE b.id = p_bill
$$;
