// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import GraphQL
import GraphQLHTTP
import Server
import GraphQLEngine

/// `graphql-fcgi schema …`: the served SDL, and what a new SDL would break for clients.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the served schema, or list what a new SDL breaks for clients.",
        subcommands: [Print.self, Diff.self]
    )

    struct Print: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the schema an SDL file serves, with the directives graphql-fcgi declares for it."
        )
        @ArgumentParser.Argument(help: "The SDL file.") var path: String = "schema/schema.graphql"

        func run() throws {
            Swift.print(try SchemaPrinter.print(try load(path)), terminator: "")
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the breaking and dangerous changes from OLD to NEW; exit 1 when one breaks clients."
        )
        @ArgumentParser.Argument(help: "The SDL served now.") var old: String
        @ArgumentParser.Argument(help: "The SDL to serve next.") var new: String

        func run() throws {
            let changes = SchemaChanges.between(try load(old), try load(new))
            for change in changes { print(change) }
            let breaking = changes.filter { $0.severity == .breaking }.count
            let dangerous = changes.count - breaking
            FileHandle.standardError.write(Data("graphql-fcgi: \(breaking) breaking, \(dangerous) dangerous\n".utf8))
            if breaking > 0 { throw ExitCode(1) }
        }
    }
}

private func load(_ path: String) throws -> GraphQLSchema {
    do {
        return try SchemaLoader.served(path: path)
    } catch {
        FileHandle.standardError.write(Data("graphql-fcgi: \(error)\n".utf8))
        throw ExitCode(2)
    }
}
