import Postgres

/// What each database rule means, for the message a refused change gets when it
/// got past the service's own checks (a race, or a path that skipped them).
public enum ConstraintMessages {
    static let rules: [String: String] = [
        "park_code_key": "a park with this code exists already",
        "park_name_length": "a park name has 1-200 characters",
        "park_kind_valid": "park kind is one of \(ParkKind.allCases.map(\.rawValue).joined(separator: ", "))",
        "park_industries_format": "industries are lower-case words (a-z, 0-9, _, each starting with a letter) separated by commas",
        "building_code_key": "a building with this code exists already in the park",
        "building_floors_above_range": "floors above ground are 1-200",
        "building_floors_below_range": "floors below ground are 0-10",
        "unit_code_key": "a unit with this code exists already in the building",
        "unit_area_positive": "a unit's area must be more than 0 m²",
        "unit_kind_valid": "unit kind is one of \(UnitKind.allCases.map(\.rawValue).joined(separator: ", "))",
        "unit_list_rent_not_negative": "list rent cannot be negative",
        "unit_floor_in_building": "the floor must exist in the building",
        "tenant_credit_code_key": "a tenant with this credit code exists already",
        "tenant_credit_code_valid": "the credit code fails the GB 32100-2015 check",
        "onboarding_one_live_per_park": "the tenant has an application in progress for this park already",
        "onboarding_transition_allowed": "the application cannot move to that stage from where it is",
        "tenant_registered_name": "this credit code is registered under another company name: check the name on the business licence (营业执照)",
        "ticket_service_level_exists": "no service level for this category and priority (see `parkctl sla list`)",
        "ticket_opened_not_in_future": "a ticket cannot be opened in the future",
        "ticket_event_not_in_future": "a ticket's event cannot lie in the future",
        "ticket_status_from_events": "a ticket's status changes only through its timeline (parkctl ticket start|resolve|close|…)",
        "ticket_fixed_at_opening": "a ticket's number, park, opening time and due times are fixed when it is opened",
        "ticket_event_in_order": "a ticket's timeline runs forward: an event cannot come before the ticket's last one",
        "ticket_event_created_once": "a ticket is created once",
        "staff_role_name_taken": "a PostgreSQL role with this name exists already and is not staff of this database: choose another name",
        "staff_pkey": "a member of staff with this name exists already (see `parkctl staff list`)",
        "park_time_zone_known": "the time zone is not one PostgreSQL knows (write it like Asia/Shanghai)",
        "park_pay_within_days_range": "pay-within-days is 0-90 days",
        "park_grace_days_range": "grace-days is 0-90 days",
        "park_late_fee_rate_range": "a late fee is 0-1 percent a day (0.05 = 万分之五)",
        "lease_late_fee_rate_range": "a late fee is 0-1 percent a day (0.05 = 万分之五)",
        "park_rent_tax_rate_range": "a tax rate is 0-50 percent",
        "park_property_fee_tax_rate_range": "a tax rate is 0-50 percent",
        "park_utility_tax_rate_range": "a tax rate is 0-50 percent",
        "park_water_tax_rate_range": "a tax rate is 0-50 percent",
        "park_gas_tax_rate_range": "a tax rate is 0-50 percent",
        "park_heat_tax_rate_range": "a tax rate is 0-50 percent",
        "lead_follow_up_next_after": "the next step is on or after the follow-up's day",
        "lead_tenant_key": "this tenant was won by another lead already (parkctl lead list --stage won)",
        "qualification_once": "the tenant's qualification of this kind and these days is recorded already (parkctl qualification list)",
        "qualification_certificate_key": "a certificate of this number and kind is recorded already, perhaps for another company (parkctl qualification list)",
        "enterprise_stat_once_a_period": "the enterprise has filed this period in the park already (parkctl stat record changes its figures)",
        "invoice_number_key": "an invoice with this number is registered already in the park",
        "invoice_number_format": "an invoice number has 1-40 letters, digits or dashes",
        "invoice_line_once": "a bill is listed once on an invoice",
        "lease_renews_in_park": "a lease renews a lease of its own park",
        "lease_unit_follows_lease": "a lease unit's days and state are its lease's: change the lease (parkctl lease terminate|cancel|renew)",
        "lease_unit_during_not_empty": "a lease holds its units for at least one day",
        "onboarding_step_not_in_future": "a step of an application cannot take effect in the future (give --on a day up to today)",
        "onboarding_step_in_order": "a step of an application cannot take effect before its previous step",
        "staff_display_name_plain": "a display name holds no brackets and no invisible characters (zero-width spaces, soft hyphens)",
        "staff_display_name_length": "a display name has 1-50 characters, without spaces around it",
        "tenant_short_name_length": "a short name (简称) has 1-8 characters, without spaces around it",
        "tenant_short_name_key": "another tenant has this short name (简称): a short name names one tenant",
        "lease_free_window_in_term": "the rent-free window lies within the lease's term: the new last day cannot come before the window's last day",
        "lease_fit_out_window_in_term": "the fit-out window lies within the lease's term: the new last day cannot come before the window's last day",
        "lease_term_at_most_20_years": "a lease runs at most 20 years (民法典 art. 705): its last day is before the 20th anniversary of its start",
        "lease_amendment_units_once": "an amendment names each unit once: added or released, not both, at most 500",
        "lease_unit_agreed_days": "a unit's days on a lease are whole days (no infinite dates)",
        "lease_renewed_once": "a lease is renewed once: cancel its renewal first (parkctl lease cancel)",
        "lease_amendment_changes_something": "an amendment changes the rent, the property fee, the units or the end",
        "lease_amendment_effective_day": "an amendment's rent, property fee and unit changes take effect from a day (--from)",
        "lease_amendment_end_moves": "an amendment's new end differs from the old one",
        "lease_amendment_note_length": "an amendment's note has at most 500 characters",
    ]

    /// Free-text columns refuse control characters and bidirectional overrides
    /// (constraints `<table>_<column>_plain_text`, migration 0010).
    public static func rule(_ constraint: String) -> String? {
        if let rule = rules[constraint] { return rule }
        if let rule = PatternRule.all.first(where: { $0.constraint == constraint }) { return rule.rule }
        if constraint.hasSuffix("_plain_text") {
            return "text may not hold control characters (such as terminal escape sequences) or bidirectional overrides"
        }
        return nil
    }
}
