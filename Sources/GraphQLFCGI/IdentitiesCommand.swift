// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import HTTPClient
import Kratos
import Server
import SharedState

/// `graphql-fcgi identities …`: the operator's view of Kratos' identities, through its admin API (loopback only).
struct IdentitiesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identities",
        abstract: "List, show or delete accounts through Kratos' admin API (loopback only).",
        subcommands: [List.self, Show.self, Delete.self]
    )

    struct AdminOptions: ParsableArguments {
        @Option(help: "Kratos admin API URL (loopback only).")
        var kratosAdminUrl: String = KratosConfiguration().adminURL

        func client() -> KratosClient {
            var configuration = KratosConfiguration()
            configuration.adminURL = kratosAdminUrl
            return KratosClient(configuration: configuration, http: HTTPClient())
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per identity: id, email, state.")
        @OptionGroup var admin: AdminOptions
        @Option(help: "Only the identity whose login identifier is this email.")
        var email: String?

        func run() throws {
            let client = admin.client()
            let email = self.email
            for identity in try blocking({ try await client.identities(email: email) }) {
                print("\(identity.id)\t\(identity.email ?? "-")\t\(identity.state ?? "-")")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One identity: id, email, state, verified, created.")
        @OptionGroup var admin: AdminOptions
        @ArgumentParser.Argument(help: "The identity id.") var id: String

        func run() throws {
            let client = admin.client()
            let id = self.id
            let identity = try blocking { try await client.identity(id: id) }
            print("id: \(identity.id)\nemail: \(identity.email ?? "-")\nstate: \(identity.state ?? "-")")
            print("verified: \(identity.isVerified)\ncreated: \(identity.createdAt ?? "-")")
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an identity and its sessions.")
        @OptionGroup var admin: AdminOptions
        @ArgumentParser.Argument(help: "The identity id.") var id: String
        @Option(help: "The workers' shared state (their shared-state setting): every instance then refuses the identity's cached sessions at once, not within the session cache's TTL.")
        var sharedState: String?

        func run() throws {
            let client = admin.client()
            let id = self.id
            try blocking { try await client.deleteIdentity(id: id) }
            print("deleted \(id)")
            guard let sharedState else { return }
            guard let location = SharedStateLocation(url: sharedState) else {
                throw ValidationError("--shared-state must be \(SharedStateLocation.expectedForm)")
            }
            do {
                let state = try location.open(retention: .zero)  // keeps the table's own retention
                try state.invalidate(.identity(id))
                print("sessions of \(id) invalidated in \(location)")
            } catch {
                FileHandle.standardError.write(Data("graphql-fcgi: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

/// Runs one async call from this synchronous command line and waits for it; a Kratos failure exits 1 with its
/// description (which names no secret).
private func blocking<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await operation()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    switch box.result! {
    case .success(let value): return value
    case .failure(let error):
        FileHandle.standardError.write(Data("graphql-fcgi: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
