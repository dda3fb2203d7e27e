import Postgres
import Testing
import TestSupport

/// A record keeps its SELECT beside its decoder; a fetch adds conditions and order.
struct Fruit: PostgresRecord, Equatable {
    var name: String
    var kilos: Int
    static let selection: SQL = "SELECT f.name, f.kilos FROM fruit f"
    init(name: String, kilos: Int) { self.name = name; self.kilos = kilos }
    init(row: PostgresRow) throws {
        name = try row.decode("name")
        kilos = try row.decode("kilos")
    }
}

@Suite struct RecordTests {
    @Test func fetchesAllOrOneWithTheConditionsGiven() throws {
        let db = try TestDatabase()
        let conn = db.connection
        try conn.simpleQuery("CREATE TABLE fruit (name text, kilos int); INSERT INTO fruit VALUES ('荔枝', 3), ('龙眼', 5), ('芒果', 8)")
        #expect(try Fruit.fetchAll(conn, "ORDER BY f.kilos DESC") == [Fruit(name: "芒果", kilos: 8), Fruit(name: "龙眼", kilos: 5),
                                                                     Fruit(name: "荔枝", kilos: 3)])
        let least = 4
        #expect(try Fruit.fetchAll(conn, "WHERE f.kilos >= \(least) ORDER BY f.name").map(\.kilos).sorted() == [5, 8])
        #expect(try Fruit.fetchOne(conn, "WHERE f.name = \("荔枝")") == Fruit(name: "荔枝", kilos: 3))
        #expect(try Fruit.fetchOne(conn, "WHERE f.name = \("榴莲")") == nil)
    }
}
