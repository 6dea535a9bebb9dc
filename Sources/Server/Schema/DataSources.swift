// SPDX-License-Identifier: Apache-2.0
import Foundation
import PostgreSQL
import SQLData
import SQLite
import Synchronization

/// Where `@sql` fields read and write: `sqlite:PATH`, a database file (created when missing), or
/// `postgresql://USER:PASSWORD@HOST:PORT/DATABASE` (libpq's connection URI, `postgres://` too).
public enum DataSource: Sendable, Hashable, CustomStringConvertible {
    /// A SQLite file.
    case sqlite(path: String)
    /// A PostgreSQL server, by libpq's connection URI.
    case postgresql(url: String)

    /// How the setting is written.
    public static let expectedForm = "sqlite:PATH (a database file, created when missing) or postgresql://USER:PASSWORD@HOST:PORT/DATABASE"

    /// Nil unless `location` is `sqlite:` and a non-empty path, or a `postgresql://` (`postgres://`) URI.
    public init?(_ location: String) {
        if location.hasPrefix("sqlite:"), location.count > "sqlite:".count {
            self = .sqlite(path: String(location.dropFirst("sqlite:".count)))
        } else if ["postgresql://", "postgres://"].contains(where: location.hasPrefix), !location.contains(where: \.isNewline),
            PostgresConnection.parses(location)
        {
            self = .postgresql(url: location)
        } else {
            return nil
        }
    }

    /// The setting as written, a password replaced by `***` (it is logged): `user:***@host`, `?password=***`.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgresql(let url):
            var masked = url
            // scheme://user:password@host…: the part between the first `:` after the scheme and the last `@`.
            if let schemeEnd = masked.range(of: "://"), let at = masked[schemeEnd.upperBound...].lastIndex(of: "@"),
                let colon = masked[schemeEnd.upperBound..<at].firstIndex(of: ":")
            {
                masked = String(masked[..<masked.index(after: colon)]) + "***" + String(masked[at...])
            }
            // …?password=…&…: up to the next `&`.
            if let query = masked.firstIndex(of: "?") {
                let parameters = masked[masked.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false).map { parameter in
                    parameter.lowercased().hasPrefix("password=") ? "password=***" : String(parameter)
                }
                masked = String(masked[...query]) + parameters.joined(separator: "&")
            }
            return masked
        }
    }
}

/// The process's open databases, by source: opened when a schema first needs one, kept across reloads.
final class OpenDatabases: Sendable {
    private let open = Mutex<[DataSource: SQLDatabase]>([:])

    /// The database of `source`, opened now if it is not open yet; nil for no source.
    func database(_ source: DataSource?, limits: SQLiteLimits) throws -> SQLDatabase? {
        guard let source else { return nil }
        return try open.withLock { open in
            if let database = open[source] { return database }
            let database: SQLDatabase
            do {
                switch source {
                case .sqlite(let path): database = .sqlite(try SQLiteDatabase(path: path, limits: limits))
                case .postgresql(let url): database = .postgresql(try PostgresDatabase(url: url, maxRows: limits.maxRows, timeLimit: limits.timeLimit))
                }
            } catch let error as SQLiteError {
                throw StartupError(description: "cannot open the database \(source): \(error.message)")
            } catch let error as PostgresError {
                throw StartupError(description: "cannot connect to the database \(source): \(error.message)")
            }
            open[source] = database
            return database
        }
    }
}
