// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// A PostgreSQL database shared by every worker thread of a process: each thread takes a connection of its own from
/// a pool for the duration of a call, opened on first need (so there are at most as many as threads using it at
/// once). A connection that lost its server is dropped, and with it every idle one (a restarted server closed them
/// all); the next call opens a new one.
public final class PostgresDatabase: Sendable {
    /// Statements run by this process on PostgreSQL (part of `graphql_fcgi_sql_statements` in `/metrics`).
    public static var statementsRun: Int { statementCount.load(ordering: .relaxed) }
    static let statementCount = Atomic<Int>(0)

    /// Most rows one statement may return.
    public let maxRows: Int
    /// Longest one statement may run.
    public let timeLimit: Duration
    private let url: String
    private let idle = Mutex<[PostgresConnection]>([])

    /// Opens one connection at once, so that a wrong address, name or password is reported at startup. `url` is
    /// libpq's connection URI (`postgresql://user:password@host:port/database?sslmode=require`).
    public init(url: String, maxRows: Int = 10_000, timeLimit: Duration = .seconds(2)) throws(PostgresError) {
        self.url = url
        self.maxRows = maxRows
        self.timeLimit = timeLimit
        let first = try PostgresConnection(url: url, maxRows: maxRows, timeLimit: timeLimit)
        idle.withLock { $0.append(first) }
    }

    /// Runs `body` with a connection no other thread uses meanwhile.
    public func withConnection<Result>(_ body: (PostgresConnection) throws -> Result) throws -> Result {
        let connection = try idle.withLock { $0.popLast() } ?? PostgresConnection(url: url, maxRows: maxRows, timeLimit: timeLimit)
        defer {
            if connection.isBroken {
                idle.withLock { $0.removeAll() }
            } else if connection.isIdle {
                idle.withLock { $0.append(connection) }
            }
            // Else a transaction was left open (a statement that began one): the connection is closed, not reused.
        }
        return try body(connection)
    }
}

/// The rows of one statement: the column names once, then each row's values in that order.
public struct PostgresRows: Sendable, Equatable {
    /// The result columns' names, as the statement names them.
    public let columns: [String]
    /// One array of values per row.
    public let values: [[PostgresValue]]
}

/// A value as it came from PostgreSQL, converted from its text by the column's type.
public enum PostgresValue: Sendable, Hashable {
    case null
    /// `smallint`, `integer`, `bigint`, `oid`.
    case integer(Int64)
    /// `real`, `double precision`, and `numeric` of up to 15 digits (a longer one is text).
    case real(Double)
    case boolean(Bool)
    /// `bytea`.
    case bytes([UInt8])
    /// Every other type, as PostgreSQL writes it (`text`, `varchar`, dates and times, `uuid`, `json`, …).
    case text(String)
}

/// The types whose text a value is converted from; every other is text.
public enum PostgresType: Sendable, Equatable {
    case boolean, integer, real, numeric, bytes, text, other

    init(oid: UInt32) {
        switch oid {
        case 16: self = .boolean
        case 20, 21, 23, 26: self = .integer
        case 700, 701: self = .real
        case 1700: self = .numeric
        case 17: self = .bytes
        case 25, 1043: self = .text
        default: self = .other
        }
    }

    func value(_ text: String) -> PostgresValue {
        switch self {
        case .boolean: return .boolean(text == "t")
        case .integer: return Int64(text).map(PostgresValue.integer) ?? .text(text)
        case .real: return Double(text).map(PostgresValue.real) ?? .text(text)
        case .numeric:
            // A double holds 15 significant digits: a `numeric` with more stays text, exact.
            guard text.count(where: \.isNumber) <= 15, let double = Double(text) else { return .text(text) }
            return .real(double)
        case .bytes:
            // `bytea_output = hex`: `\x` and two digits a byte.
            let digits = Array(text.utf8.dropFirst(2))
            guard text.hasPrefix("\\x"), digits.count % 2 == 0 else { return .text(text) }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(digits.count / 2)
            for index in stride(from: 0, to: digits.count, by: 2) {
                guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else { return .text(text) }
                bytes.append(byte)
            }
            return .bytes(bytes)
        case .text, .other: return .text(text)
        }
    }
}

/// What a prepared statement expects and returns, for checks before any request (`check-config`).
public struct PostgresStatementShape: Sendable, Equatable {
    /// How many parameters it binds (`$N`, the highest one).
    public let parameterCount: Int
    /// The names of its result columns; empty for a statement that returns none.
    public let columns: [String]
    /// Each result column's type.
    public let types: [PostgresType]
    /// For each result column that is a table's column as it is (not an expression): that column.
    public let tableColumns: [PostgresTableColumn?]
}

/// A table's column, as a result column comes from it.
public struct PostgresTableColumn: Sendable, Equatable {
    /// Its name in the table.
    public let name: String
    /// Whether its collation compares by bytes (all but nondeterministic ICU collations; true for non-text types).
    public let comparesBytes: Bool
}

/// Why PostgreSQL refused, or could not be reached. The message may name a table, a column or a type, never a
/// value bound; a connection's message may name the host, never the password.
public struct PostgresError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The server could not be reached, or the connection was lost.
        case connection
        /// A statement returned more rows than its limit allows.
        case rowLimit
        /// The server refused the statement, with its SQLSTATE (`23505` a unique violation, `57014` cancelled, …).
        case server(state: String)
    }

    /// What went wrong.
    public let kind: Kind
    /// The server's or libpq's message.
    public let message: String

    /// The kind and the message.
    public var description: String {
        switch kind {
        case .connection: "PostgreSQL connection: \(message)"
        case .rowLimit: "PostgreSQL: \(message)"
        case .server(let state): "PostgreSQL error \(state): \(message)"
        }
    }
}
