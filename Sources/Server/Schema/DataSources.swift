// SPDX-License-Identifier: Apache-2.0
import SQLite
import Synchronization

/// Where `@sql` fields read and write: `sqlite:PATH`, a database file (created when missing).
public struct DataSource: Sendable, Equatable, CustomStringConvertible {
    /// The SQLite file.
    public let sqlitePath: String

    /// How the setting is written.
    public static let expectedForm = "sqlite:PATH (a database file, created when missing)"

    /// Nil unless `location` is `sqlite:` and a non-empty path.
    public init?(_ location: String) {
        guard location.hasPrefix("sqlite:"), location.count > "sqlite:".count else { return nil }
        sqlitePath = String(location.dropFirst("sqlite:".count))
    }

    /// The setting as written.
    public var description: String { "sqlite:\(sqlitePath)" }
}

/// The process's open databases, by source: opened when a schema first needs one, kept across reloads.
final class OpenDatabases: Sendable {
    private let open = Mutex<[String: SQLiteDatabase]>([:])

    /// The database of `source`, opened now if it is not open yet; nil for no source.
    func database(_ source: DataSource?, limits: SQLiteLimits) throws -> SQLiteDatabase? {
        guard let source else { return nil }
        return try open.withLock { open in
            if let database = open[source.sqlitePath] { return database }
            do {
                let database = try SQLiteDatabase(path: source.sqlitePath, limits: limits)
                open[source.sqlitePath] = database
                return database
            } catch {
                throw StartupError(description: "cannot open the database \(source): \((error as? SQLiteError)?.message ?? "\(error)")")
            }
        }
    }
}
