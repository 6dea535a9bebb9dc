// SPDX-License-Identifier: Apache-2.0
import Foundation
import GraphQLFCGI
import SQLite
import Synchronization

// notes: graphql-fcgi with the account fields and each signed-in user's own notes, stored in SQLite.
// The database file is NOTES_DATABASE (default /var/lib/notes/notes.sqlite), shared by every instance; it is opened
// at the first request that needs it, so `--help`, `schema print` and the other tools never touch it.

struct NoteID: Decodable, Sendable {
    let id: String
}

struct NewNote: Decodable, Sendable {
    let title: String
    let body: String?
}

struct CreateNote: Decodable, Sendable {
    let input: NewNote
}

struct NoteChanges: Decodable, Sendable {
    let id: String
    let title: String?
    let body: String?
}

let store = LazyStore(path: ProcessInfo.processInfo.environment["NOTES_DATABASE"] ?? "/var/lib/notes/notes.sqlite")

var resolvers = ResolverRegistry.accounts
resolvers.resolve("Query.notes") { call in
    try store.get().notes(owner: try await call.identity().id)
}
resolvers.resolve("Query.note", arguments: NoteID.self) { call in
    guard let note = try store.get().note(call.arguments.id, owner: try await call.identity().id) else { throw APIError.notFound("No such note") }
    return note
}
resolvers.resolve("Mutation.createNote", arguments: CreateNote.self) { call in
    let owner = try await call.identity().id
    let input = call.arguments.input
    return try store.get().create(owner: owner, title: try Validation.title(input.title), body: try Validation.body(input.body ?? ""))
}
resolvers.resolve("Mutation.updateNote", arguments: NoteChanges.self) { call in
    let owner = try await call.identity().id
    let changes = call.arguments
    let note = try store.get().update(
        changes.id, owner: owner, title: try changes.title.map(Validation.title), body: try changes.body.map(Validation.body)
    )
    guard let note else { throw APIError.notFound("No such note") }
    return note
}
resolvers.resolve("Mutation.deleteNote", arguments: NoteID.self) { call in
    guard try store.get().delete(call.arguments.id, owner: try await call.identity().id) else { throw APIError.notFound("No such note") }
    return true
}

GraphQLFCGI.main(resolvers: resolvers)

/// What the API refuses before it stores anything.
enum Validation {
    static func title(_ title: String) throws -> String {
        let trimmed = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw APIError.badUserInput("A note needs a title") }
        guard trimmed.count <= 200 else { throw APIError.badUserInput("A title has at most 200 characters") }
        return trimmed
    }

    static func body(_ body: String) throws -> String {
        guard body.utf8.count <= 100_000 else { throw APIError.badUserInput("A note's body has at most 100,000 bytes") }
        return body
    }
}

/// The store, opened once by the first request that needs it.
final class LazyStore: Sendable {
    private let path: String
    private let opened = Mutex<NoteStore?>(nil)

    init(path: String) { self.path = path }

    func get() throws -> NoteStore {
        try opened.withLock { opened in
            if let opened { return opened }
            let store = try NoteStore(database: try SQLiteDatabase(path: path))
            opened = store
            return store
        }
    }
}
