// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Logging
import Server

/// `graphql-fcgi [serve] …`: runs the worker process (the default subcommand).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a FastCGI worker process (the default)."
    )

    @OptionGroup var options: ServeOptions

    func run() throws {
        let level = Logger.Level(rawValue: options.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "graphql-fcgi")
        do {
            let configuration = try options.serverConfiguration()
            try GraphQLFCGIServer(configuration: configuration, logger: logger).run()
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(1)
        }
    }
}
