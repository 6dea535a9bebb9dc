import Foundation
import Testing

@testable import SQLite

@Suite struct SQLiteDatabaseTests {
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("sqlite-\(UUID().uuidString).db").path
    }

    @Test func storesAndReadsEveryKindOfValue() throws {
        let database = try SQLiteDatabase(path: Self.temporaryPath())
        _ = try database.rows("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)")
        _ = try database.rows("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)", [.integer(-7), .real(2.5), .text("héllo '; DROP"), .blob([0, 255]), .null])
        let rows = try database.rows("SELECT i, r, s AS text, b, n FROM t")
        #expect(rows == [SQLiteRow(columns: ["i", "r", "text", "b", "n"], values: [.integer(-7), .real(2.5), .text("héllo '; DROP"), .blob([0, 255]), .null])])
        #expect(rows[0]["text"] == .text("héllo '; DROP"))
    }

    @Test func aFailedTransactionLeavesNothing() throws {
        let database = try SQLiteDatabase(path: Self.temporaryPath())
        _ = try database.rows("CREATE TABLE t (k TEXT PRIMARY KEY)")
        #expect(throws: SQLiteError.self) {
            try database.withConnection { connection in
                try connection.transaction {
                    _ = try connection.rows("INSERT INTO t VALUES ('a')")
                    _ = try connection.rows("INSERT INTO t VALUES ('a')")  // the primary key refuses it
                }
            }
        }
        #expect(try database.rows("SELECT count(*) AS n FROM t")[0]["n"] == .integer(0))
    }

    @Test func describesAStatementWithoutRunningIt() throws {
        let database = try SQLiteDatabase(path: Self.temporaryPath())
        _ = try database.rows("CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT)")
        let shape = try database.withConnection { try $0.shape(of: "SELECT id, title AS name FROM posts WHERE id = ?1") }
        #expect(shape.parameterCount == 1 && shape.columns == ["id", "name"] && shape.isReadOnly)
        #expect(shape.origins == [SQLiteColumnOrigin(table: "posts", column: "id", declaredType: "INTEGER", collation: "BINARY"),
                                  SQLiteColumnOrigin(table: "posts", column: "title", declaredType: "TEXT", collation: "BINARY")])
        let error = #expect(throws: SQLiteError.self) { try database.withConnection { try $0.shape(of: "SELECT nope FROM posts") } }
        #expect(error?.message == "no such column: nope")
        #expect(throws: SQLiteError.self) { try database.rows("SELECT 1; DROP TABLE posts") }
        #expect(try database.rows("SELECT count(*) AS n FROM posts")[0]["n"] == .integer(0))
    }

    @Test func aStatementPastItsLimitsStops() throws {
        var limits = SQLiteLimits()
        limits.maxRows = 5
        limits.timeLimit = .milliseconds(50)
        let database = try SQLiteDatabase(path: Self.temporaryPath(), limits: limits)
        let rows = #expect(throws: SQLiteError.self) { try database.rows("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT i FROM n") }
        #expect(rows?.code == SQLiteError.rowLimit)
        let started = ContinuousClock.now
        let slow = #expect(throws: SQLiteError.self) { try database.rows("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n") }
        #expect(slow?.code == SQLiteError.interrupted)
        #expect(ContinuousClock.now - started < .seconds(10))  // a hang guard, not a timing target
    }

    @Test func threadsEachGetAConnection() async throws {
        let database = try SQLiteDatabase(path: Self.temporaryPath())
        _ = try database.rows("CREATE TABLE t (n INTEGER)")
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<16 {
                group.addTask { _ = try? database.rows("INSERT INTO t VALUES (?1)", [.integer(Int64(index))]) }
            }
        }
        #expect(try database.rows("SELECT sum(n) AS total FROM t")[0]["total"] == .integer(120))
    }

    @Test func aThreadKeepsItsConnectionAndACallInsideAnotherGetsItsOwn() throws {
        let database = try SQLiteDatabase(path: Self.temporaryPath())
        _ = try database.rows("CREATE TABLE t (n INTEGER)")
        _ = try database.rows("INSERT INTO t VALUES (1), (2)")
        let (first, second) = try (database.withConnection { ObjectIdentifier($0) }, database.withConnection { ObjectIdentifier($0) })
        #expect(first == second)
        let nested = try database.withConnection { outer in
            try database.withConnection { inner in
                #expect(outer !== inner)
                return try inner.rows("SELECT count(*) AS n FROM t")[0]["n"]
            }
        }
        #expect(nested == .integer(2))
    }
}
