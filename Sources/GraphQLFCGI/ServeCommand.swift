// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Synchronization
import Logging
import Server

/// `graphql-fcgi [serve] …`: runs the worker process (the default subcommand).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a FastCGI worker process (the default)."
    )

    @OptionGroup var options: ServeOptions

    /// The configuration as the process would read it now: the same command line, the file and the environment
    /// read again.
    @Sendable static func reread() throws -> ServerConfiguration {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "serve" { arguments.removeFirst() }
        let (expanded, problems) = GraphQLFCGICommand.withConfigurationSources(arguments, environment: ProcessInfo.processInfo.environment)
        guard problems.isEmpty else { throw StartupError(description: problems.joined(separator: "; ")) }
        let options = try ServeOptions.parse(expanded)
        let valueProblems = options.problems()
        guard valueProblems.isEmpty else { throw StartupError(description: valueProblems.joined(separator: "; ")) }
        return try options.serverConfiguration()
    }

    func validate() throws {
        let problems = options.problems()
        if !problems.isEmpty { throw ValidationError(problems.joined(separator: "\n")) }
    }

    func run() throws {
        let level = Logger.Level(rawValue: options.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "graphql-fcgi")
        let metrics = PrometheusMetrics.bootstrap()
        do {
            let configuration = try options.serverConfiguration()
            try GraphQLFCGIServer(
                configuration: configuration,
                resolvers: GraphQLFCGICommand.resolvers.withLock { $0 },
                logger: logger,
                reloadConfiguration: Self.reread,
                renderMetrics: metrics.render
            ).run()
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(1)
        }
    }
}
