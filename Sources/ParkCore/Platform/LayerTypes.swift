import Postgres

// The value types of the Postgres layer that ParkCore's API speaks in (a lease's
// days, a window), named here so that the CLI works with ParkCore alone and never
// imports the layer. They are plain values; connections and errors stay inside.

/// A day without a time or a zone, as PostgreSQL's `date`.
public typealias CalendarDate = Postgres.CalendarDate
/// A range of days, as PostgreSQL's `daterange`.
public typealias DateRange = Postgres.DateRange
