// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

@main
struct GraphQLFCGICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graphql-fcgi",
        abstract: "A GraphQL API server that runs as a FastCGI worker pool behind nginx, with accounts through Ory Kratos.",
        version: "0.1.0",
        subcommands: [ServeCommand.self, IdentitiesCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
