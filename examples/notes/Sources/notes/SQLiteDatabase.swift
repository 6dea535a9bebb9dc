// SPDX-License-Identifier: Apache-2.0
import CSQLite
import Foundation
import Synchronization

/// One SQLite connection per process, used by one thread at a time; the C API stays in this file.
///
/// Several worker processes open the same file: write-ahead logging lets them read while one writes, and a busy
/// timeout makes a writer wait for another instead of failing.
final class SQLiteDatabase: Sendable {
    enum Value: Sendable, Equatable {
        case text(String)
        case integer(Int64)
        case null
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let connection: Mutex<OpaquePointer>

    init(path: String) throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            throw Failure(description: "cannot open \(path): \(message)")
        }
        sqlite3_busy_timeout(handle, 5_000)
        connection = Mutex(handle)
        try execute("PRAGMA journal_mode = WAL")
    }

    deinit {
        connection.withLock { _ = sqlite3_close($0) }
    }

    /// Runs `sql` with `parameters` bound to its `?` placeholders, and returns every row, column by name.
    @discardableResult
    func execute(_ sql: String, _ parameters: [Value] = []) throws -> [[String: Value]] {
        try connection.withLock { handle in
            var statement: OpaquePointer?
            guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
                throw Failure(description: String(cString: sqlite3_errmsg(handle)))
            }
            defer { sqlite3_finalize(statement) }
            for (index, parameter) in parameters.enumerated() {
                let position = Int32(index + 1)
                let status =
                    switch parameter {
                    // SQLITE_TRANSIENT: SQLite copies the text before the Swift string goes away.
                    case .text(let text): sqlite3_bind_text(statement, position, text, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
                    case .integer(let integer): sqlite3_bind_int64(statement, position, integer)
                    case .null: sqlite3_bind_null(statement, position)
                    }
                guard status == SQLITE_OK else { throw Failure(description: String(cString: sqlite3_errmsg(handle))) }
            }
            var rows: [[String: Value]] = []
            while true {
                let step = sqlite3_step(statement)
                if step == SQLITE_DONE { return rows }
                guard step == SQLITE_ROW else { throw Failure(description: String(cString: sqlite3_errmsg(handle))) }
                var row: [String: Value] = [:]
                for column in 0..<sqlite3_column_count(statement) {
                    let name = String(cString: sqlite3_column_name(statement, column))
                    switch sqlite3_column_type(statement, column) {
                    case SQLITE_INTEGER: row[name] = .integer(sqlite3_column_int64(statement, column))
                    case SQLITE_NULL: row[name] = .null
                    default: row[name] = .text(String(cString: sqlite3_column_text(statement, column)))
                    }
                }
                rows.append(row)
            }
        }
    }
}
