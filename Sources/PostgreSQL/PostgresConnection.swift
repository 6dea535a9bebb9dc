// SPDX-License-Identifier: Apache-2.0
import CLibPQ
import Synchronization
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// One connection to a PostgreSQL server, used by one thread at a time (`PostgresDatabase` hands them out). Every
/// libpq call is in this file. Statements are prepared once per connection and kept; parameters and results travel
/// as text, converted by their types' OIDs.
///
/// The session is read-only by default (`default_transaction_read_only`): a statement writes only inside
/// `transaction(_:)`, which begins `READ WRITE`. Each statement stops at the time limit (`statement_timeout`), and
/// rows are read one at a time (libpq's single-row mode) so that a statement past its row limit is cancelled
/// before its rows take the worker's memory.
public final class PostgresConnection: @unchecked Sendable {
    // @unchecked: the pool gives a connection to one thread at a time; it is never used concurrently.
    private let handle: OpaquePointer
    private var prepared: [String: String] = [:]
    /// The number of the last statement prepared (names are never reused, even after `forget`).
    private var statementNumber = 0
    private let maxRows: Int

    init(url: String, maxRows: Int, timeLimit: Duration) throws(PostgresError) {
        self.maxRows = maxRows
        // libpq's messages about a URL it cannot parse quote the URL, password included: none of them is passed on.
        guard Self.parses(url) else { throw PostgresError(kind: .connection, message: "the database URL does not parse (postgresql://USER:PASSWORD@HOST:PORT/DATABASE)") }
        let milliseconds = max(1, timeLimit.components.seconds * 1_000 + timeLimit.components.attoseconds / 1_000_000_000_000_000)
        // Keywords after `dbname` (expanded from the URL) override what the URL says. Keepalives and the TCP user
        // timeout notice a server gone silent (a partition) within seconds, rather than the kernel's hours.
        let settings = [
            ("dbname", url),
            ("options", "-c default_transaction_read_only=on -c statement_timeout=\(milliseconds)"),
            ("application_name", "graphql-fcgi"),
            ("connect_timeout", "2"),
            ("client_encoding", "UTF8"),
            ("keepalives", "1"),
            ("keepalives_idle", "10"),
            ("keepalives_interval", "3"),
            ("keepalives_count", "3"),
            ("tcp_user_timeout", String(milliseconds + 10_000)),
        ]
        let connection = Self.withCStrings(settings.map(\.0)) { keys in
            Self.withCStrings(settings.map(\.1)) { values in PQconnectdbParams(keys, values, 1) }
        }
        guard let connection else { throw PostgresError(kind: .connection, message: "out of memory") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.firstLine(PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError(kind: .connection, message: message)
        }
        handle = connection
    }

    deinit { PQfinish(handle) }

    /// Whether the connection to the server is lost (the pool then drops it, and every idle one).
    var isBroken: Bool { lost || PQstatus(handle) != CONNECTION_OK }
    /// Whether the connection is outside any transaction, as a call must leave it to be used again.
    var isIdle: Bool { PQtransactionStatus(handle) == PQTRANS_IDLE }

    /// Whether libpq reads `url` as a connection URI or string.
    public static func parses(_ url: String) -> Bool {
        var message: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &message) else {
            if let message { PQfreemem(message) }
            return false
        }
        PQconninfoFree(options)
        return true
    }
    /// Set when the server said it is closing the connection, before libpq notices.
    private var lost = false

    /// Runs `sql` with `parameters` (text, nil for NULL) bound to `$1`, `$2`, … and returns every row.
    public func rows(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> PostgresRows {
        do {
            return try run(sql, parameters)
        } catch where error.kind == .server(state: "0A000") && prepared[sql] != nil {
            // "cached plan must not change result type": a table changed (a column added to a `SELECT *`) since
            // the statement was prepared. Prepared again, and run again outside a transaction.
            forget(sql)
            guard isIdle else { throw error }
            return try run(sql, parameters)
        }
    }

    private func run(_ sql: String, _ parameters: [String?]) throws(PostgresError) -> PostgresRows {
        let name = try prepare(sql)
        PostgresDatabase.statementCount.add(1, ordering: .relaxed)
        let sent = Self.withCStrings(parameters) { values in
            PQsendQueryPrepared(handle, name, Int32(parameters.count), values, nil, nil, 0)
        }
        guard sent == 1 else { throw connectionError() }
        PQsetSingleRowMode(handle)
        var columns: [String]?
        var types: [PostgresType] = []
        var rows: [[PostgresValue]] = []
        var failure: PostgresError?
        // Every result is read, even after a failure: the connection is ready again only once libpq returns nil.
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            guard status == PGRES_SINGLE_TUPLE || status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
                failure = failure ?? serverError(result)
                continue
            }
            if columns == nil {
                columns = (0..<PQnfields(result)).map { String(cString: PQfname(result, $0)) }
                types = (0..<PQnfields(result)).map { PostgresType(oid: PQftype(result, $0)) }
            }
            guard status == PGRES_SINGLE_TUPLE, failure == nil else { continue }
            guard rows.count < maxRows else {
                failure = PostgresError(kind: .rowLimit, message: "more than \(maxRows) rows")
                cancel()
                continue
            }
            rows.append(types.indices.map { column in value(result, column: Int32(column), type: types[column]) })
        }
        if let failure { throw failure }
        return PostgresRows(columns: columns ?? [], values: rows)
    }

    /// Runs `body` in one read-write transaction; rolled back if it throws.
    public func transaction<Result>(_ body: () throws -> Result) throws -> Result {
        try command("BEGIN READ WRITE")
        do {
            let result = try body()
            try command("COMMIT")
            return result
        } catch {
            if !isBroken { try? command("ROLLBACK") }
            throw error
        }
    }

    /// What `sql` binds and returns, prepared without running it: syntax, tables, columns and types are checked.
    /// Prepared anew, so that a reload after a migration sees the tables as they are.
    public func shape(of sql: String) throws(PostgresError) -> PostgresStatementShape {
        forget(sql)
        let name = try prepare(sql)
        guard let result = PQdescribePrepared(handle, name) else { throw connectionError() }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw serverError(result) }
        let count = PQnfields(result)
        return PostgresStatementShape(
            parameterCount: Int(PQnparams(result)),
            columns: (0..<count).map { String(cString: PQfname(result, $0)) },
            types: (0..<count).map { PostgresType(oid: PQftype(result, $0)) },
            tableColumns: try (0..<count).map { column throws(PostgresError) in
                let table = PQftable(result, column)
                let number = PQftablecol(result, column)
                return table != 0 && number > 0 ? try tableColumn(table: table, number: number) : nil
            }
        )
    }

    /// Column `number` of table `table` (libpq tells a result column's origin by numbers only): its name, and
    /// whether its collation compares by bytes (a nondeterministic ICU collation makes `=` match other strings).
    private func tableColumn(table: UInt32, number: Int32) throws(PostgresError) -> PostgresTableColumn? {
        let lookup = """
            SELECT a.attname, coalesce(c.collisdeterministic, true) FROM pg_catalog.pg_attribute a
            LEFT JOIN pg_catalog.pg_collation c ON c.oid = a.attcollation WHERE a.attrelid = \(table)::oid AND a.attnum = \(number)::int2
            """
        guard let result = PQexec(handle, lookup) else { throw connectionError() }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_TUPLES_OK else { throw serverError(result) }
        guard PQntuples(result) == 1, let name = PQgetvalue(result, 0, 0), let deterministic = PQgetvalue(result, 0, 1) else { return nil }
        return PostgresTableColumn(name: String(cString: name), comparesBytes: String(cString: deterministic) == "t")
    }

    /// Drops the prepared statement of `sql`, if any: the next call prepares it again (the server's copy is
    /// deallocated when the connection is idle, else left to the end of the session).
    private func forget(_ sql: String) {
        guard let name = prepared.removeValue(forKey: sql) else { return }
        if isIdle, let result = PQexec(handle, "DEALLOCATE \(name)") { PQclear(result) }
    }

    private func command(_ sql: String) throws(PostgresError) {
        guard let result = PQexec(handle, sql) else { throw connectionError() }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw serverError(result) }
    }

    private func prepare(_ sql: String) throws(PostgresError) -> String {
        if let name = prepared[sql] { return name }
        statementNumber += 1
        let name = "graphql_fcgi_\(statementNumber)"
        guard let result = PQprepare(handle, name, sql, 0, nil) else { throw connectionError() }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw serverError(result) }
        prepared[sql] = name
        return name
    }

    /// Asks the server to stop the statement running now; its rows still arriving are read and dropped.
    private func cancel() {
        guard let cancel = PQgetCancel(handle) else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancel, &buffer, Int32(buffer.count))
        PQfreeCancel(cancel)
    }

    private func value(_ result: OpaquePointer, column: Int32, type: PostgresType) -> PostgresValue {
        guard PQgetisnull(result, 0, column) == 0, let bytes = PQgetvalue(result, 0, column) else { return .null }
        let count = Int(PQgetlength(result, 0, column))
        let text = bytes.withMemoryRebound(to: UInt8.self, capacity: count) { String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self) }
        return type.value(text)
    }

    private func serverError(_ result: OpaquePointer) -> PostgresError {
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
        let message = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) } ?? Self.firstLine(PQresultErrorMessage(result))
        // Class 08 is a connection exception; 57P01–57P03 a server shutting down, crashed or starting up.
        if isBroken || state.hasPrefix("08") || state.hasPrefix("57P") {
            lost = true
            return PostgresError(kind: .connection, message: message)
        }
        return PostgresError(kind: .server(state: state), message: message)
    }

    private func connectionError() -> PostgresError {
        lost = true
        return PostgresError(kind: .connection, message: Self.firstLine(PQerrorMessage(handle)))
    }

    private static func firstLine(_ text: UnsafePointer<CChar>?) -> String {
        let message = text.map { String(cString: $0) } ?? ""
        return message.split(separator: "\n").first.map(String.init) ?? "connection failed"
    }

    /// Calls `body` with `strings` as C strings (nil as NULL), the array terminated by NULL.
    private static func withCStrings<Result>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> Result) -> Result {
        var copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } ?? nil }
        copies.append(nil)
        defer { for copy in copies { free(copy) } }
        return copies.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) { body($0) }
        }
    }
}
