// SPDX-License-Identifier: Apache-2.0

/// One finished call to Kratos, as `KratosClient` reports it to its observer (the server turns these into metrics).
public struct KratosCall: Sendable {
    /// `POST /self-service/login`, `DELETE /sessions/:id`: the path without its query and with ids replaced, so the
    /// routes stay few.
    public let route: String
    public let duration: Duration
    /// `success`, `client_error`, `server_error` or `unreachable`.
    public let outcome: String

    init(method: String, path: String, duration: Duration, status: Int?) {
        route = method + " " + Self.template(path)
        self.duration = duration
        switch status {
        case nil: outcome = "unreachable"
        case let status? where status >= 500: outcome = "server_error"
        case let status? where status >= 400: outcome = "client_error"
        default: outcome = "success"
        }
    }

    /// `/sessions/6f1c…?x=y` → `/sessions/:id`, `/admin/identities/x` → `/admin/identities/:id`: whatever a client
    /// sent as an id (`revokeSession(id:)`), the routes stay the client's fixed few, so metrics labels stay bounded.
    static func template(_ path: String) -> String {
        let withoutQuery = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        var segments = withoutQuery.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for index in segments.indices.dropFirst() {
            let parent = segments[index - 1]
            if (parent == "sessions" && segments[index] != "whoami") || parent == "identities" { segments[index] = ":id" }
        }
        return segments.joined(separator: "/")
    }
}
