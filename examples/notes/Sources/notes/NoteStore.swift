// SPDX-License-Identifier: Apache-2.0
import Foundation
import SQLite

/// A note as the schema's `Note` type reads it: fields without a resolver read the properties of the same name.
struct Note: Sendable {
    let id: String
    let title: String
    let body: String
    let createdAt: String
    let updatedAt: String
}

/// The notes of every user, in one SQLite table; every query names the owner, so no call can reach another
/// user's note.
struct NoteStore: Sendable {
    let database: SQLiteDatabase

    init(database: SQLiteDatabase) throws {
        self.database = database
        try database.rows(
            """
            CREATE TABLE IF NOT EXISTS notes (
              id TEXT PRIMARY KEY, owner TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL,
              created_at TEXT NOT NULL, updated_at TEXT NOT NULL)
            """
        )
        try database.rows("CREATE INDEX IF NOT EXISTS notes_by_owner ON notes (owner, updated_at)")
    }

    func notes(owner: String) throws -> [Note] {
        try database.rows("SELECT * FROM notes WHERE owner = ? ORDER BY updated_at DESC, id", [.text(owner)]).compactMap(Self.note)
    }

    func note(_ id: String, owner: String) throws -> Note? {
        try database.rows("SELECT * FROM notes WHERE id = ? AND owner = ?", [.text(id), .text(owner)]).first.flatMap(Self.note)
    }

    func create(owner: String, title: String, body: String) throws -> Note {
        let now = Self.timestamp()
        let rows = try database.rows(
            "INSERT INTO notes (id, owner, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
            [.text(UUID().uuidString.lowercased()), .text(owner), .text(title), .text(body), .text(now), .text(now)]
        )
        guard let note = rows.first.flatMap(Self.note) else { throw SQLiteError(code: 1, message: "INSERT returned no row") }
        return note
    }

    /// The note changed, or nil when `owner` has no note `id`.
    func update(_ id: String, owner: String, title: String?, body: String?) throws -> Note? {
        let rows = try database.rows(
            """
            UPDATE notes SET title = coalesce(?, title), body = coalesce(?, body), updated_at = ?
            WHERE id = ? AND owner = ? RETURNING *
            """,
            [title.map { .text($0) } ?? .null, body.map { .text($0) } ?? .null, .text(Self.timestamp()), .text(id), .text(owner)]
        )
        return rows.first.flatMap(Self.note)
    }

    /// Whether `owner` had a note `id` (it is gone now).
    func delete(_ id: String, owner: String) throws -> Bool {
        !(try database.rows("DELETE FROM notes WHERE id = ? AND owner = ? RETURNING id", [.text(id), .text(owner)])).isEmpty
    }

    private static func note(_ row: SQLiteRow) -> Note? {
        func text(_ column: String) -> String? { if case .text(let value)? = row[column] { value } else { nil } }
        guard let id = text("id"), let title = text("title"), let body = text("body"),
            let created = text("created_at"), let updated = text("updated_at")
        else { return nil }
        return Note(id: id, title: title, body: body, createdAt: created, updatedAt: updated)
    }

    /// RFC 3339 in UTC with milliseconds, so that notes changed within one second still sort by time.
    private static func timestamp() -> String {
        Date.now.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted))
    }
}
