// SPDX-License-Identifier: Apache-2.0
public import GraphQL
public import GraphQLEngine
public import HTTPClient
public import Logging
import OrderedCollections

/// The `@http` fields of a schema: each checked when the schema loads (startup, `check-config`, SIGHUP) and bound
/// to a resolver that calls its URL through the shared libcurl client (the worker thread is not held meanwhile).
///
/// `@http(url: "https://catalog.internal/items/{id}", method: GET, path: "data.item")`: placeholders are the
/// field's arguments, the parent object's fields and the identity, percent-encoded (see `HTTPURLTemplate`); a POST
/// sends the field's arguments as a JSON object. The response's JSON (its member at `path`, when given) is the
/// field's value: objects fill fields by name, arrays are lists.
public enum HTTPFields {
    /// The directive, declared for the SDL when it uses `@http` without declaring it.
    public static let directiveName = "http"
    /// Its declaration, with the enum of its methods.
    public static let directiveDefinition = """
        "The HTTP method of an @http field."
        enum HTTPMethod { GET POST }
        directive @http(url: String!, method: HTTPMethod = GET, path: String) on FIELD_DEFINITION
        """

    /// What the resolvers need from the server around them, per request `context`.
    public struct Environment: Sendable {
        /// The client the calls go through, made when the first schema with `@http` fields loads.
        public var client: @Sendable () -> HTTPClient
        /// Headers, deadline and bounds.
        public var configuration: HTTPDataConfiguration
        /// Where failed calls are logged (host and what failed; never the URL's values or the response).
        public var logger: Logger
        /// The signed-in identity's id, or the error to answer with (`UNAUTHENTICATED`).
        public var identity: @Sendable (_ context: any Sendable) async throws -> String
        /// Counts one more call for the request; false when it has made as many as it may.
        public var allowCall: @Sendable (_ context: any Sendable) -> Bool
        /// The request's id, for the log line of a failed call.
        public var requestID: @Sendable (_ context: any Sendable) -> String

        /// An environment of these parts.
        public init(
            client: @escaping @Sendable () -> HTTPClient,
            configuration: HTTPDataConfiguration,
            logger: Logger,
            identity: @escaping @Sendable (_ context: any Sendable) async throws -> String,
            allowCall: @escaping @Sendable (_ context: any Sendable) -> Bool,
            requestID: @escaping @Sendable (_ context: any Sendable) -> String
        ) {
            self.client = client
            self.configuration = configuration
            self.logger = logger
            self.identity = identity
            self.allowCall = allowCall
            self.requestID = requestID
        }
    }

    /// Why `@http` fields could not be bound: every problem, each with the SDL line of its field.
    public struct Problems: Error, CustomStringConvertible {
        /// One line per problem: `FILE:LINE: Type.field: what is wrong`.
        public let lines: [String]
        /// The problems, one per line.
        public var description: String { lines.joined(separator: "\n") }
    }

    /// Resolvers for every `@http` field of `schema`, by coordinate. `sdl` is the text the schema was built from
    /// (for line numbers, named by `origin`); `resolvedElsewhere` are the coordinates bound otherwise (a field may
    /// not have two sources).
    public static func resolvers(
        schema: GraphQLSchema,
        sdl: String,
        origin: String,
        environment: Environment,
        resolvedElsewhere: Set<String>
    ) throws(Problems) -> [String: FieldResolver] {
        var problems: [String] = []
        var resolvers: [String: FieldResolver] = [:]
        let roots = [schema.queryType, schema.mutationType, schema.subscriptionType].compactMap { $0 }
        for case let type as GraphQLObjectType in schema.typeMap.values where !type.name.hasPrefix("__") {
            for (name, field) in (try? type.fields()) ?? [:] {
                guard let directive = field.astNode?.directives.first(where: { $0.name.value == directiveName }) else { continue }
                let coordinate = "\(type.name).\(name)"
                let place = "\(origin):\(SDLLines.line(ofOffset: directive.loc?.start ?? 0, in: sdl)): \(coordinate)"
                let argument = { (name: String) in directive.arguments.first(where: { $0.name.value == name })?.value }
                guard !resolvedElsewhere.contains(coordinate) else {
                    problems.append("\(place): has @http and another source (@sql or a resolver in Swift)")
                    continue
                }
                guard let url = argument("url") as? StringValue else {
                    problems.append("\(place): @http needs url: \"…\"")
                    continue
                }
                let template: HTTPURLTemplate
                do {
                    template = try HTTPURLTemplate(url.value)
                } catch {
                    problems.append("\(place): \(error.description)")
                    continue
                }
                var fieldProblems: [String] = []
                for source in template.sources {
                    switch source {
                    case .argument(let name):
                        if let argument = field.args[name] {
                            if !TypeShape.isSingleLeaf(argument.type) { fieldProblems.append("\(source) is not a scalar or enum argument") }
                        } else {
                            fieldProblems.append("\(source) is not an argument of the field")
                        }
                    case .parent:
                        // Any member of the parent's value, a field of the schema or not (`ownerId` of a JSON object,
                        // a column no field shows).
                        if roots.contains(where: { $0 === type }) { fieldProblems.append("\(source): a root field has no parent object") }
                    case .identity:
                        break
                    }
                }
                let method = (argument("method") as? EnumValue)?.value ?? "GET"
                let path = (argument("path") as? StringValue)?.value.split(separator: ".", omittingEmptySubsequences: false).map(String.init) ?? []
                if path.contains(where: \.isEmpty) { fieldProblems.append("path \"\(path.joined(separator: "."))\" has an empty member name") }
                problems += fieldProblems.map { "\(place): \($0)" }
                guard fieldProblems.isEmpty else { continue }
                resolvers[coordinate] = HTTPFieldResolver(
                    template: template,
                    method: method,
                    path: path,
                    headers: environment.configuration.headers.filter { $0.applies(to: template) }.map { ($0.name, $0.value) },
                    nonNull: field.type is GraphQLNonNull,
                    environment: environment
                ).resolve
            }
        }
        guard problems.isEmpty else { throw Problems(lines: problems.sorted()) }
        return resolvers
    }
}
