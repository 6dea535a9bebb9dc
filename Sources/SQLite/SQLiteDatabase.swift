// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// A value as SQLite stores it.
public enum SQLiteValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// One result row: its values by column, in the statement's column order.
public struct SQLiteRow: Sendable, Equatable {
    /// The result columns' names, as the statement names them (`AS` aliases included).
    public let columns: [String]
    /// The values, one per column.
    public let values: [SQLiteValue]

    /// A row of `values` under `columns` (one value per column).
    public init(columns: [String], values: [SQLiteValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value of the column named `name`, or nil when the statement has no such column.
    public subscript(_ name: String) -> SQLiteValue? {
        columns.firstIndex(of: name).map { values[$0] }
    }
}

/// Why SQLite refused: its result code and message (which may name a table or a column, never a value bound).
public struct SQLiteError: Error, CustomStringConvertible, Equatable {
    /// SQLite's primary result code (`SQLITE_ERROR` 1, `SQLITE_BUSY` 5, `SQLITE_CONSTRAINT` 19, …).
    public let code: Int32
    /// SQLite's message.
    public let message: String

    /// A statement returned more rows than its limit allows.
    public static let rowLimit: Int32 = 1_000
    /// A statement ran past its time limit (SQLite's `SQLITE_INTERRUPT`).
    public static let interrupted: Int32 = 9
    /// A value of the wrong type where the statement needs another (SQLite's `SQLITE_MISMATCH`: `LIMIT 'x'`).
    public static let mismatch: Int32 = 20
    /// A constraint refused the change (SQLite's `SQLITE_CONSTRAINT`: `CHECK`, `UNIQUE`, a foreign key).
    public static let constraint: Int32 = 19

    /// An error with SQLite's `code` and `message` (`SQLITE_ERROR`, 1, for an app's own checks).
    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    /// The code and the message.
    public var description: String { "SQLite error \(code): \(message)" }
}

/// What a prepared statement expects and returns, for checks before any request (`check-config`).
public struct SQLiteStatementShape: Sendable, Equatable {
    /// How many parameters it binds (`?NNN` positions, the highest one).
    public let parameterCount: Int
    /// The names of its result columns; empty for a statement that returns none.
    public let columns: [String]
    /// Whether it only reads.
    public let isReadOnly: Bool
    /// For each result column that is a table's column as it is (not an expression): its table and column names.
    public let origins: [SQLiteColumnOrigin?]
}

/// Where a result column comes from, and how its table declares it.
public struct SQLiteColumnOrigin: Sendable, Equatable {
    /// The table.
    public let table: String
    /// The column's name in the table.
    public let column: String
    /// The declared type (`INTEGER`, `TEXT`, …), upper-cased; empty when none is declared.
    public let declaredType: String
    /// The collation (`BINARY`, `NOCASE`, …).
    public let collation: String
}

/// Bounds on one statement, so that no statement holds a worker thread or its memory without end.
public struct SQLiteLimits: Sendable, Equatable {
    /// Most rows a statement may return; past it the statement stops with `SQLiteError.rowLimit`.
    public var maxRows: Int = 10_000
    /// Longest a statement may run; past it SQLite interrupts it (`SQLITE_INTERRUPT`).
    public var timeLimit: Duration = .seconds(2)

    /// The defaults: 10,000 rows, 2 s.
    public init() {}
}

/// A database file shared by every worker thread of a process, and by other processes: each thread takes a
/// connection of its own from a pool for the duration of a call (SQLite connections are used by one thread at a
/// time), opened on first need. Write-ahead logging lets readers go on while one connection writes; a busy
/// timeout makes a writer wait for another rather than fail.
public final class SQLiteDatabase: Sendable {
    /// Statements run by this process, on every database (`graphql_fcgi_sql_statements` in `/metrics`).
    public static var statementsRun: Int { statementCount.load(ordering: .relaxed) }
    static let statementCount = Atomic<Int>(0)

    /// The file, as given.
    public let path: String
    /// What every statement run through this database may take.
    public let limits: SQLiteLimits
    private let idle = Mutex<[SQLiteConnection]>([])

    /// Opens one connection at once, so that a missing directory or an unreadable file is reported at startup.
    public init(path: String, limits: SQLiteLimits = SQLiteLimits()) throws(SQLiteError) {
        self.path = path
        self.limits = limits
        let first = try SQLiteConnection(path: path, limits: limits)
        idle.withLock { $0.append(first) }
    }

    /// Runs `body` with a connection no other thread uses meanwhile.
    public func withConnection<Result>(_ body: (SQLiteConnection) throws -> Result) throws -> Result {
        let connection = try idle.withLock { $0.popLast() } ?? SQLiteConnection(path: path, limits: limits)
        defer { idle.withLock { $0.append(connection) } }
        return try body(connection)
    }

    /// Runs `sql` with `parameters` bound to `?1`, `?2`, … and returns every row.
    @discardableResult
    public func rows(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> [SQLiteRow] {
        try withConnection { try $0.rows(sql, parameters) }
    }
}
