// SPDX-License-Identifier: Apache-2.0
public import GraphQL

/// Errors located at document nodes for the cost of reading a token, not of scanning the document.
///
/// GraphQLSwift's `GraphQLError(message:nodes:)` finds each node's line by running a regular expression over the
/// whole document, so n errors in a document of m bytes cost n × m: 1,500 errors in a 1 MB document (a comment
/// pads it) kept a worker busy for seconds. The lexer already stored each token's line and column; these helpers
/// read them.
extension GraphQLError {
    /// An error at `nodes`' first tokens (nodes parsed without locations add none).
    public static func located(
        _ message: String,
        at nodes: [any Node],
        path: IndexPath = [],
        extensions: [String: Map] = [:]
    ) -> GraphQLError {
        GraphQLError(message: message, locations: nodes.compactMap(\.sourceLocation), path: path, extensions: extensions)
    }
}

extension Node {
    /// The line and column (1-based, the column in UTF-8 bytes as GraphQLSwift's lexer counts it) where the node
    /// starts, or nil when it was parsed without locations.
    public var sourceLocation: SourceLocation? {
        loc.map { SourceLocation(line: $0.startToken.line, column: $0.startToken.column) }
    }
}

/// A resolver's Swift error (not a `GraphQLError`) with where it happened: the handler logs `underlying` and shows
/// only "Internal server error" at `locations`.
public struct ResolverFailure: Error {
    /// What the resolver threw.
    public let underlying: any Error
    /// The field's locations in the document.
    public let locations: [SourceLocation]
}
