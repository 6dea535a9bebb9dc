// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
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

/// A database file shared by every worker thread of a process, and by other processes: each thread uses a
/// connection of its own (SQLite connections are used by one thread at a time), opened on its first call and kept
/// for the thread, so that threads never wait for each other to take one. Write-ahead logging lets readers go on
/// while one connection writes; a busy timeout makes a writer wait for another rather than fail.
public final class SQLiteDatabase: @unchecked Sendable {
    // @unchecked: `threadConnections` is a pthread key, created once; each thread sees only its own value.

    /// Statements run by this process, on every database (`graphql_fcgi_sql_statements` in `/metrics`).
    public static var statementsRun: Int { statementCount.load(ordering: .relaxed) }
    static let statementCount = Atomic<Int>(0)

    /// The file, as given.
    public let path: String
    /// What every statement run through this database may take.
    public let limits: SQLiteLimits
    /// Each thread's connection (an `Unmanaged` reference, released when the thread ends).
    private let threadConnections: pthread_key_t
    /// Connections for a call made while the thread's own is in use (a call inside another's body).
    private let spare = Mutex<[SQLiteConnection]>([])

    /// Opens one connection at once, so that a missing directory or an unreadable file is reported at startup.
    public init(path: String, limits: SQLiteLimits = SQLiteLimits()) throws(SQLiteError) {
        self.path = path
        self.limits = limits
        var key = pthread_key_t()
        guard pthread_key_create(&key, { connection in
            guard let connection else { return }
            Unmanaged<SQLiteConnection>.fromOpaque(connection).release()
        }) == 0 else {
            throw SQLiteError(code: 1, message: "no thread-local key left for the connections of \(path)")
        }
        threadConnections = key
        let first = try SQLiteConnection(path: path, limits: limits)
        spare.withLock { $0.append(first) }
    }

    deinit {
        // Connections kept by threads still running are released when those threads end.
        pthread_key_delete(threadConnections)
    }

    /// Runs `body` with a connection no other thread uses meanwhile: the thread's own, or a spare one when the
    /// thread's own is in use further up the stack.
    public func withConnection<Result>(_ body: (SQLiteConnection) throws -> Result) throws -> Result {
        let own: SQLiteConnection
        if let stored = pthread_getspecific(threadConnections) {
            own = Unmanaged<SQLiteConnection>.fromOpaque(stored).takeUnretainedValue()
        } else {
            own = try spare.withLock { $0.popLast() } ?? SQLiteConnection(path: path, limits: limits)
            pthread_setspecific(threadConnections, Unmanaged.passRetained(own).toOpaque())
        }
        if !own.inUse {
            own.inUse = true
            defer { own.inUse = false }
            return try body(own)
        }
        let connection = try spare.withLock { $0.popLast() } ?? SQLiteConnection(path: path, limits: limits)
        defer { spare.withLock { $0.append(connection) } }
        return try body(connection)
    }

    /// Runs `sql` with `parameters` bound to `?1`, `?2`, … and returns every row.
    @discardableResult
    public func rows(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> [SQLiteRow] {
        try withConnection { try $0.rows(sql, parameters) }
    }
}
