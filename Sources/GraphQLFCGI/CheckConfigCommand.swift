// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Synchronization
import Logging
import Server

/// `graphql-fcgi check-config`: like `nginx -t` and `php-fpm -t`. Loads the configuration (file, environment,
/// flags), the SDL with its resolver bindings, the explorer and the persisted-query manifest, reports every
/// problem, and exits non-zero if there is one. Starts nothing and contacts nothing.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check the configuration, the schema and its resolver bindings; report every problem (like nginx -t)."
    )

    @OptionGroup var options: ServeOptions

    func run() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let fromSources = GraphQLFCGICommand.withConfigurationSources(arguments, environment: ProcessInfo.processInfo.environment).problems
        var problems = fromSources + options.problems()
        do {
            let configuration = try options.serverConfiguration()
            let resolvers = GraphQLFCGICommand.resolvers.withLock { $0 }
            problems += GraphQLFCGIServer(configuration: configuration, resolvers: resolvers, logger: .init(label: "check-config")).check()
        } catch {
            problems.append("\(error)")
        }
        // A schema's problems come as one error, a line each (every @sql field's, say): one problem a line.
        problems = problems.flatMap { $0.split(separator: "\n").map(String.init) }
        if problems.isEmpty {
            print("graphql-fcgi: configuration OK (schema \(options.schema))")
            return
        }
        for problem in problems { FileHandle.standardError.write(Data("graphql-fcgi: \(problem)\n".utf8)) }
        FileHandle.standardError.write(Data("graphql-fcgi: \(problems.count) problem\(problems.count == 1 ? "" : "s") found\n".utf8))
        throw ExitCode(1)
    }
}
