// SPDX-License-Identifier: Apache-2.0
import CSQLite
import Synchronization

/// One SQLite connection, used by one thread at a time (`SQLiteDatabase` hands them out). Every SQLite C call is
/// in this file. Statements are prepared once per connection and kept.
public final class SQLiteConnection: @unchecked Sendable {
    // @unchecked: the pool gives a connection to one thread at a time; it is never used concurrently.
    private let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]
    private let limits: SQLiteLimits
    /// When the statement running now must stop; read by the progress handler.
    private var deadline = ContinuousClock.now
    /// A call is using the connection (set by `SQLiteDatabase.withConnection` for a thread's own connection).
    var inUse = false

    init(path: String, limits: SQLiteLimits) throws(SQLiteError) {
        self.limits = limits
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw SQLiteError(code: status, message: "cannot open \(path): \(message)")
        }
        self.handle = handle
        sqlite3_busy_timeout(handle, 5_000)
        // Every 1,000 virtual-machine steps SQLite asks whether to go on: not past the deadline.
        sqlite3_progress_handler(handle, 1_000, { context in
            guard let context else { return 0 }
            let connection = Unmanaged<SQLiteConnection>.fromOpaque(context).takeUnretainedValue()
            return ContinuousClock.now > connection.deadline ? 1 : 0
        }, Unmanaged.passUnretained(self).toOpaque())
        sqlite3_extended_result_codes(handle, 0)
        // Settings of the connection, not statements of the API: not counted in `statementsRun`.
        _ = try rows("PRAGMA journal_mode = WAL", counted: false)
        _ = try rows("PRAGMA foreign_keys = ON", counted: false)
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// Runs `sql` with `parameters` bound to `?1`, `?2`, … and returns every row.
    @discardableResult
    public func rows(_ sql: String, _ parameters: [SQLiteValue] = []) throws(SQLiteError) -> [SQLiteRow] {
        try rows(sql, parameters, counted: true)
    }

    private func rows(_ sql: String, _ parameters: [SQLiteValue] = [], counted: Bool) throws(SQLiteError) -> [SQLiteRow] {
        let statement = try prepared(sql)
        if counted { SQLiteDatabase.statementCount.add(1, ordering: .relaxed) }
        deadline = ContinuousClock.now + limits.timeLimit
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (index, parameter) in parameters.enumerated() {
            try bind(parameter, at: Int32(index + 1), in: statement)
        }
        let count = sqlite3_column_count(statement)
        let columns = (0..<count).map { String(cString: sqlite3_column_name(statement, $0)) }
        var rows: [SQLiteRow] = []
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { return rows }
            guard step == SQLITE_ROW else { throw error(step) }
            guard rows.count < limits.maxRows else {
                throw SQLiteError(code: SQLiteError.rowLimit, message: "more than \(limits.maxRows) rows")
            }
            rows.append(SQLiteRow(columns: columns, values: (0..<count).map { value(statement, column: $0) }))
        }
    }

    /// Runs `body` in one transaction (`BEGIN IMMEDIATE`: the write lock is taken at once, so two writers queue
    /// rather than fail midway); rolled back if it throws.
    public func transaction<Result>(_ body: () throws -> Result) throws -> Result {
        _ = try rows("BEGIN IMMEDIATE")
        do {
            let result = try body()
            _ = try rows("COMMIT")
            return result
        } catch {
            _ = try? rows("ROLLBACK")
            throw error
        }
    }

    /// What `sql` binds and returns, prepared without running it: syntax, tables and columns are checked.
    public func shape(of sql: String) throws(SQLiteError) -> SQLiteStatementShape {
        let statement = try prepared(sql)
        let count = sqlite3_column_count(statement)
        return SQLiteStatementShape(
            parameterCount: Int(sqlite3_bind_parameter_count(statement)),
            columns: (0..<count).map { String(cString: sqlite3_column_name(statement, $0)) },
            isReadOnly: sqlite3_stmt_readonly(statement) != 0,
            origins: (0..<count).map { origin(statement, column: $0) }
        )
    }

    private func origin(_ statement: OpaquePointer, column: Int32) -> SQLiteColumnOrigin? {
        guard let table = sqlite3_column_table_name(statement, column), let name = sqlite3_column_origin_name(statement, column) else { return nil }
        var declaredType: UnsafePointer<CChar>?
        var collation: UnsafePointer<CChar>?
        guard sqlite3_table_column_metadata(handle, sqlite3_column_database_name(statement, column), table, name, &declaredType, &collation, nil, nil, nil) == SQLITE_OK
        else { return nil }
        return SQLiteColumnOrigin(
            table: String(cString: table),
            column: String(cString: name),
            declaredType: declaredType.map { String(cString: $0).uppercased() } ?? "",
            collation: collation.map { String(cString: $0).uppercased() } ?? "BINARY"
        )
    }

    private func prepared(_ sql: String) throws(SQLiteError) -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        var rest: UnsafePointer<CChar>?
        let status = sql.withCString { text in
            let status = sqlite3_prepare_v3(handle, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &rest)
            // One statement per call: text after the first (other than white space and `;`) is refused.
            if status == SQLITE_OK, let rest, String(cString: rest).contains(where: { !$0.isWhitespace && $0 != ";" }) {
                return SQLITE_MISUSE
            }
            return status
        }
        guard status == SQLITE_OK, let statement else {
            if let statement { sqlite3_finalize(statement) }
            if status == SQLITE_MISUSE { throw SQLiteError(code: status, message: "one statement at a time") }
            throw error(status)
        }
        statements[sql] = statement
        return statement
    }

    private func bind(_ value: SQLiteValue, at position: Int32, in statement: OpaquePointer) throws(SQLiteError) {
        // SQLITE_TRANSIENT (-1): SQLite copies text and blobs before the Swift values go away.
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        let status: Int32 =
            switch value {
            case .null: sqlite3_bind_null(statement, position)
            case .integer(let integer): sqlite3_bind_int64(statement, position, integer)
            case .real(let real): sqlite3_bind_double(statement, position, real)
            case .text(let text): sqlite3_bind_text64(statement, position, text, UInt64(text.utf8.count), transient, UInt8(SQLITE_UTF8))
            case .blob(let bytes): bytes.withUnsafeBytes { sqlite3_bind_blob64(statement, position, $0.baseAddress, UInt64($0.count), transient) }
            }
        guard status == SQLITE_OK else { throw error(status) }
    }

    private func value(_ statement: OpaquePointer, column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, column))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, column))
            guard count > 0, let bytes = sqlite3_column_blob(statement, column) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default:
            let count = Int(sqlite3_column_bytes(statement, column))
            guard let text = sqlite3_column_text(statement, column) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        }
    }

    private func error(_ status: Int32) -> SQLiteError {
        SQLiteError(code: status & 0xFF, message: String(cString: sqlite3_errmsg(handle)))
    }
}
