// SPDX-License-Identifier: Apache-2.0
public import PostgreSQL
public import SQLite

/// The database `@sql` statements run on: a SQLite file (the embedded default) or a PostgreSQL server. Rows are
/// held in SQLite's value model (null, integer, real, text, blob), which PostgreSQL's values map onto: a boolean
/// is 0 or 1, as SQLite stores it.
public enum SQLDatabase: Sendable {
    case sqlite(SQLiteDatabase)
    case postgresql(PostgresDatabase)

    /// How its statements write parameters and batch keys.
    var dialect: SQLDialect {
        switch self {
        case .sqlite: .sqlite
        case .postgresql: .postgresql
        }
    }

    /// Its limits on one statement, as an error message states them.
    var limitsDescription: String {
        switch self {
        case .sqlite(let database): "\(database.limits.maxRows) rows, \(database.limits.timeLimit)"
        case .postgresql(let database): "\(database.maxRows) rows, \(database.timeLimit)"
        }
    }

    /// Runs `text` with `values` bound by position; `writes` runs it in a read-write transaction (Mutation fields),
    /// else it may only read.
    func rows(_ text: String, _ values: [SQLiteValue], writes: Bool) throws(SQLFailure) -> [SQLiteRow] {
        switch self {
        case .sqlite(let database):
            do {
                return try database.withConnection { connection in
                    writes ? try connection.transaction { try connection.rows(text, values) } : try connection.rows(text, values)
                }
            } catch {
                throw SQLFailure(error)
            }
        case .postgresql(let database):
            let parameters = values.map(Self.postgresText)
            do {
                return try Self.rows(database.withConnection { connection in
                    writes ? try connection.transaction { try connection.rows(text, parameters) } : try connection.rows(text, parameters)
                })
            } catch let error as PostgresError where error.kind == .connection && !writes {
                // A server restarted since the connection was opened: once more on a new connection (a read is
                // safe to repeat; a write may have been committed, and is not).
                do {
                    return try Self.rows(database.withConnection { try $0.rows(text, parameters) })
                } catch {
                    throw SQLFailure(error)
                }
            } catch {
                throw SQLFailure(error)
            }
        }
    }

    /// What `text` binds and returns, prepared against the database without running it.
    func shape(of text: String) throws(SQLFailure) -> SQLShape {
        switch self {
        case .sqlite(let database):
            do {
                let shape = try database.withConnection { try $0.shape(of: text) }
                // SQLite's affinity rules: a declared type containing INT is integer; CHAR, CLOB or TEXT is text.
                // Only a table's column as it is, compared with a binary collation, keys a batch.
                let keys: [SQLShape.Key?] = shape.origins.map { origin in
                    guard let origin, origin.collation == "BINARY" else { return nil }
                    if origin.declaredType.contains("INT") { return SQLShape.Key(column: origin.column, kind: .integer) }
                    if ["CHAR", "CLOB", "TEXT"].contains(where: origin.declaredType.contains) { return SQLShape.Key(column: origin.column, kind: .text) }
                    return nil
                }
                return SQLShape(parameterCount: shape.parameterCount, columns: shape.columns, isReadOnly: shape.isReadOnly, keys: keys)
            } catch {
                throw SQLFailure(error)
            }
        case .postgresql(let database):
            do {
                let shape = try database.withConnection { try $0.shape(of: text) }
                let keys: [SQLShape.Key?] = shape.types.indices.map { index in
                    guard let column = shape.tableColumns[index], column.comparesBytes else { return nil }
                    switch shape.types[index] {
                    case .integer: return SQLShape.Key(column: column.name, kind: .integer)
                    case .text: return SQLShape.Key(column: column.name, kind: .text)
                    default: return nil
                    }
                }
                return SQLShape(parameterCount: shape.parameterCount, columns: shape.columns, isReadOnly: Self.onlyReads(text), keys: keys)
            } catch {
                throw SQLFailure(error)
            }
        }
    }

    /// Whether a PostgreSQL statement only reads, by its words (libpq does not tell): it starts as a query and
    /// names no writing command. Words in literals count too: a false alarm asks for a rename, never lets a write
    /// through, and the session is read-only anyway outside Mutation fields.
    static func onlyReads(_ text: String) -> Bool {
        let words = sqlWords(text)
        guard let first = words.first, ["SELECT", "WITH", "VALUES", "TABLE"].contains(first) else { return false }
        // Writing commands, and what could change the session's own settings (its read-only default, its time
        // limit) for the statements that come after on the same connection.
        let writing: Set<String> = ["INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "COPY", "CALL", "LOCK", "CREATE", "DROP", "ALTER", "GRANT",
                                    "REVOKE", "INTO", "SET", "SET_CONFIG", "RESET", "DO", "EXECUTE", "PREPARE", "DEALLOCATE", "DISCARD",
                                    "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "LISTEN", "NOTIFY", "PG_NOTIFY"]
        return !words.contains(where: writing.contains)
    }

    private static func postgresText(_ value: SQLiteValue) -> String? {
        switch value {
        case .null: nil
        case .integer(let integer): String(integer)
        case .real(let real): "\(real)"
        case .text(let text): text
        case .blob(let bytes): "\\x" + SQLValues.hex(bytes)
        }
    }

    private static func rows(_ result: PostgresRows) -> [SQLiteRow] {
        result.values.map { values in
            SQLiteRow(columns: result.columns, values: values.map { value in
                switch value {
                case .null: .null
                case .integer(let integer): .integer(integer)
                case .real(let real): .real(real)
                case .boolean(let flag): .integer(flag ? 1 : 0)
                case .bytes(let bytes): .blob(bytes)
                case .text(let text): .text(text)
                }
            })
        }
    }
}

/// How a database writes what `SQLStatement` and `SQLBatch` produce.
public enum SQLDialect: Sendable, Equatable {
    /// `?N` parameters; a batch's keys as a JSON array read by `json_each`.
    case sqlite
    /// `$N` parameters; a batch's keys as an array compared with `= ANY($N)`.
    case postgresql

    func placeholder(_ position: Int) -> String {
        switch self {
        case .sqlite: "?\(position)"
        case .postgresql: "$\(position)"
        }
    }
}

/// What a statement binds and returns, whichever the database.
struct SQLShape {
    /// A result column that can key a batch: a table's column as it is, of a type compared exactly.
    struct Key {
        /// Its name in its table.
        let column: String
        let kind: SQLFieldResolver.Batch.KeyKind
    }

    let parameterCount: Int
    let columns: [String]
    let isReadOnly: Bool
    /// For each result column, the key it can be; nil for an expression or a type compared loosely.
    let keys: [Key?]
}

/// Why a statement failed, as a field's error tells it.
enum SQLFailure: Error {
    /// A constraint refused the change (`CHECK`, `UNIQUE`, a foreign key).
    case constraint
    /// An argument's value is one the statement cannot use (`LIMIT 'x'`; text where PostgreSQL wants a number).
    case invalidValue
    /// More rows than allowed, or longer than allowed.
    case limit
    /// The database could not be reached.
    case unavailable(String)
    /// Anything else: a fault of the statement or the database, logged, never shown.
    case other(any Error)

    init(_ error: any Error) {
        switch error {
        case let error as SQLiteError where error.code == SQLiteError.constraint: self = .constraint
        case let error as SQLiteError where error.code == SQLiteError.mismatch: self = .invalidValue
        case let error as SQLiteError where error.code == SQLiteError.rowLimit || error.code == SQLiteError.interrupted: self = .limit
        case let error as PostgresError:
            switch error.kind {
            case .connection: self = .unavailable(error.message)
            case .rowLimit: self = .limit
            // SQLSTATE classes: 23 integrity constraint violation, 22 data exception; 57014 query cancelled (the
            // statement timeout).
            case .server(let state) where state.hasPrefix("23"): self = .constraint
            case .server(let state) where state.hasPrefix("22"): self = .invalidValue
            case .server("57014"): self = .limit
            case .server: self = .other(error)
            }
        default: self = .other(error)
        }
    }

    /// The message for check-config.
    var message: String {
        switch self {
        case .unavailable(let message): message
        case .other(let error as SQLiteError): error.message
        case .other(let error as PostgresError): error.message
        case .other(let error): "\(error)"
        case .constraint: "a constraint refused it"
        case .invalidValue: "a value the statement cannot use"
        case .limit: "past its limits"
        }
    }
}

/// The upper-cased words of a statement (letters, digits and `_`), for checks that look for keywords.
func sqlWords(_ text: String) -> [String] {
    String(text.uppercased().map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : " " }).split(separator: " ").map(String.init)
}
