// SPDX-License-Identifier: Apache-2.0
public import GraphQL
import OrderedCollections
import GraphQLEngine

/// The GraphQL-over-HTTP request parameters, decoded from a POST body or a GET query string.
public struct GraphQLRequestParameters: Sendable, Equatable {
    /// The document text; empty when the request names a persisted query by hash only.
    public var query: String
    /// Which operation of the document to run; nil when the document has only one.
    public var operationName: String?
    /// Values of the operation's variables as sent, coerced to their types later.
    public var variables: [String: Map]
    /// The request's `extensions`, e.g. `persistedQuery` for APQ; empty when none.
    public var extensions: [String: Map]

    /// Parameters with everything but `query` optional.
    public init(query: String, operationName: String? = nil, variables: [String: Map] = [:], extensions: [String: Map] = [:]) {
        self.query = query
        self.operationName = operationName
        self.variables = variables
        self.extensions = extensions
    }

    /// Nesting allowed in the JSON of a body, `variables` or `extensions`: deep enough for any real input
    /// object, shallow enough that no parser or coercion step can exhaust a stack.
    static let maxJSONDepth = 64

    /// Decodes the parameters of `request` (POST with `application/json`, or GET); a batch is refused.
    public static func decode(from request: HTTPRequest) throws(RequestError) -> GraphQLRequestParameters {
        switch try decode(from: request, maxBatchSize: 0) {
        case .single(let parameters): return parameters
        case .batch: throw .badRequest("Batched requests (a JSON array) are not enabled")
        }
    }

    /// What a request asks for: one operation, or (POST only, when `maxBatchSize` > 0) a JSON array of up to
    /// `maxBatchSize` of them, each decoded on its own so that one bad entry does not sink the others.
    public enum Body: Sendable {
        case single(GraphQLRequestParameters)
        case batch([Result<GraphQLRequestParameters, RequestError>])
    }

    /// Decodes the parameters of `request`, a batch allowed on POST when `maxBatchSize` > 0. Methods other than GET
    /// and POST are refused with 405.
    public static func decode(from request: HTTPRequest, maxBatchSize: Int) throws(RequestError) -> Body {
        switch request.method {
        case "POST": return try decodePost(request, maxBatchSize: maxBatchSize)
        case "GET": return .single(try decodeGet(queryString: request.queryString))
        default:
            throw RequestError(
                status: 405,
                code: ErrorCode.methodNotAllowed,
                message: "GraphQL over HTTP accepts GET and POST only",
                headers: ["Allow": "GET, POST"]
            )
        }
    }

    private static func decodePost(_ request: HTTPRequest, maxBatchSize: Int) throws(RequestError) -> Body {
        guard request.bodyExceededLimit == false else {
            throw RequestError(status: 413, code: ErrorCode.payloadTooLarge, message: "The request body is too large")
        }
        try requireJSONContentType(request.contentType)
        guard !request.body.isEmpty else { throw .badRequest("The request body is empty") }
        let body: Map
        do {
            body = try JSONParser.parse(request.body, maxDepth: maxJSONDepth)
        } catch {
            throw .badRequest("The request body is not valid JSON: \(error)")
        }
        switch body {
        case .dictionary(let fields):
            return .single(try parameters(fields))
        case .array(let entries):
            guard maxBatchSize > 0 else { throw .badRequest("Batched requests (a JSON array) are not enabled") }
            guard !entries.isEmpty else { throw .badRequest("The batch is empty") }
            guard entries.count <= maxBatchSize else {
                throw RequestError(
                    status: 400,
                    code: ErrorCode.batchTooLarge,
                    message: "The batch has \(entries.count) operations; the limit is \(maxBatchSize)"
                )
            }
            return .batch(
                entries.map { entry in
                    guard case .dictionary(let fields) = entry else {
                        return .failure(.badRequest("Each entry of a batch must be a JSON object"))
                    }
                    return Result { () throws(RequestError) in try parameters(fields) }
                }
            )
        default:
            throw .badRequest("The request body must be a JSON object")
        }
    }

    private static func parameters(_ fields: OrderedDictionary<String, Map>) throws(RequestError) -> GraphQLRequestParameters {
        let extensions = try optionalObject(fields["extensions"], name: "extensions")
        let query: String
        switch fields["query"] {
        case .string(let text)?: query = text
        case nil, .null?:
            // A persisted query may be named by its hash alone (the `persistedQuery` extension).
            guard PersistedQueries.hash(in: extensions) != nil else {
                throw .invalidParameter("The request has no 'query' string")
            }
            query = ""
        default: throw .invalidParameter("'query' must be a string")
        }
        return GraphQLRequestParameters(
            query: query,
            operationName: try optionalString(fields["operationName"], name: "operationName"),
            variables: try optionalObject(fields["variables"], name: "variables"),
            extensions: extensions
        )
    }

    /// Accepts `application/json` with no charset or `charset=utf-8`; anything else is 415.
    private static func requireJSONContentType(_ contentType: String?) throws(RequestError) {
        // What nearly every client sends, without splitting or lower-casing.
        if contentType == "application/json" || contentType == "application/json; charset=utf-8" { return }
        let unsupported = RequestError(
            status: 415,
            code: ErrorCode.unsupportedMediaType,
            message: "POST requests must have 'Content-Type: application/json'",
            headers: ["Accept-Post": "application/json"]
        )
        guard let contentType else { throw unsupported }
        let parts = contentType.split(separator: ";")
        guard parts.first?.trimmingSpaces().lowercased() == "application/json" else { throw unsupported }
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingSpaces().lowercased() == "charset" else { continue }
            let charset = pair[1].trimmingSpaces().lowercased().replacingQuotes()
            guard charset == "utf-8" || charset == "utf8" else {
                throw RequestError(
                    status: 415,
                    code: ErrorCode.unsupportedMediaType,
                    message: "Only the utf-8 charset is supported"
                )
            }
        }
    }

    private static func decodeGet(queryString: String) throws(RequestError) -> GraphQLRequestParameters {
        var values: [String: String] = [:]
        for pair in queryString.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = FormDecoding.decode(parts[0]) else { throw .badRequest("Malformed URL encoding") }
            guard let value = FormDecoding.decode(parts.count > 1 ? parts[1] : "") else {
                throw .badRequest("Malformed URL encoding in '\(name)'")
            }
            if ["query", "operationName", "variables", "extensions"].contains(name), values[name] != nil {
                throw .badRequest("The parameter '\(name)' is given more than once")
            }
            values[name] = value
        }
        let extensions = try jsonObjectParameter(values["extensions"], name: "extensions")
        let query = values["query"] ?? ""
        guard !query.isEmpty || PersistedQueries.hash(in: extensions) != nil else {
            throw .badRequest("The request has no 'query' parameter")
        }
        return GraphQLRequestParameters(
            query: query,
            operationName: values["operationName"].flatMap { $0.isEmpty ? nil : $0 },
            variables: try jsonObjectParameter(values["variables"], name: "variables"),
            extensions: extensions
        )
    }

    private static func jsonObjectParameter(_ text: String?, name: String) throws(RequestError) -> [String: Map] {
        guard let text, !text.isEmpty else { return [:] }
        let value: Map
        do {
            value = try JSONParser.parse(text, maxDepth: maxJSONDepth)
        } catch {
            throw .badRequest("'\(name)' is not valid JSON: \(error)")
        }
        return try optionalObject(value, name: name)
    }

    private static func optionalString(_ value: Map?, name: String) throws(RequestError) -> String? {
        switch value {
        case nil, .null?, .undefined?: return nil
        case .string(let string)?: return string
        default: throw .invalidParameter("'\(name)' must be a string or null")
        }
    }

    private static func optionalObject(_ value: Map?, name: String) throws(RequestError) -> [String: Map] {
        switch value {
        case nil, .null?, .undefined?: return [:]
        case .dictionary(let object)?: return Dictionary(uniqueKeysWithValues: object.map { ($0.key, $0.value) })
        default: throw .invalidParameter("'\(name)' must be an object or null")
        }
    }
}

extension String {
    fileprivate func replacingQuotes() -> String { filter { $0 != "\"" } }
}
