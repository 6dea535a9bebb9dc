// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Server
import Synchronization

/// The `graphql-fcgi` command line: `serve` (the default), `check-config`, `identities`, `schema`.
struct GraphQLFCGICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graphql-fcgi",
        abstract: "A GraphQL API server that runs as a FastCGI worker pool behind nginx, with accounts through Ory Kratos.",
        version: "0.1.0",
        subcommands: [ServeCommand.self, CheckConfigCommand.self, IdentitiesCommand.self, SchemaCommand.self],
        defaultSubcommand: ServeCommand.self
    )

    /// The resolvers `serve` and `check-config` bind to the SDL: set once by `GraphQLFCGI.main` before parsing.
    static let resolvers = Mutex(ResolverRegistry.builtIn)

    /// Parses the command line after the configuration file's and the environment's flags, so that the command
    /// line overrides the environment, which overrides the file.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let (expanded, problems) = withConfigurationSources(arguments, environment: ProcessInfo.processInfo.environment)
        // check-config reports these itself, together with every other problem.
        if !problems.isEmpty, arguments.first != "check-config" {
            for problem in problems { FileHandle.standardError.write(Data("graphql-fcgi: \(problem)\n".utf8)) }
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        do {
            var command = try parseAsRoot(expanded)
            try command.run()
        } catch {
            exit(withError: error)
        }
    }

    /// `arguments` with the file's and the environment's flags inserted where the serve options begin; other
    /// subcommands, help and version are left alone.
    static func withConfigurationSources(_ arguments: [String], environment: [String: String]) -> (arguments: [String], problems: [String]) {
        let insertAt: Int
        switch arguments.first {
        case "serve", "check-config": insertAt = 1
        case "identities", "schema", "help", "-h", "--help", "--version", "--generate-completion-script": return (arguments, [])
        default: insertAt = 0
        }
        var problems: [String] = []
        var injected: [String] = []
        let chosen = ConfigurationSources.file(
            explicit: value(of: "--config", in: arguments),
            instance: value(of: "--instance", in: arguments),
            environment: environment
        )
        problems += chosen.problems
        if let path = chosen.path {
            if let text = readText(path) {
                let loaded = ConfigurationSources.arguments(yaml: text, origin: path)
                injected += loaded.arguments
                problems += loaded.problems
            } else {
                problems.append("\(path): cannot read the configuration file")
            }
        }
        let fromEnvironment = ConfigurationSources.arguments(environment: environment)
        injected += fromEnvironment.arguments
        problems += fromEnvironment.problems
        var expanded = arguments
        expanded.insert(contentsOf: injected, at: insertAt)
        return (expanded, problems)
    }

    /// Through a file handle: /dev/null (the test stacks' "no file") has no size to read a String by.
    private static func readText(_ path: String) -> String? {
        guard let file = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? file.close() }
        return String(data: file.readDataToEndOfFile(), encoding: .utf8)
    }

    /// The value of a command-line-only option (`--config`, `--instance`), which decides what is read first.
    private static func value(of option: String, in arguments: [String]) -> String? {
        for (index, argument) in arguments.enumerated() {
            if argument == option, index + 1 < arguments.count { return arguments[index + 1] }
            if argument.hasPrefix(option + "=") { return String(argument.dropFirst(option.count + 1)) }
        }
        return nil
    }
}
