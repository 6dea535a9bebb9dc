// SPDX-License-Identifier: Apache-2.0
import GraphQL
import GraphQLEngine
import HTTPClient
import Logging
import OrderedCollections

/// Calls one `@http` field's URL for a request and turns the answer into the field's value, or into a GraphQL error
/// with a code: `UPSTREAM_UNAVAILABLE` (refused, unknown host, reset), `UPSTREAM_TIMEOUT` (past the deadline),
/// `UPSTREAM_ERROR` (a 4xx or 5xx status), `UPSTREAM_INVALID_RESPONSE` (not JSON, too large), `NOT_FOUND` (404 for
/// a non-null field; a nullable one is null). The service's body and the URL's values are never shown or logged.
struct HTTPFieldResolver: Sendable {
    let template: HTTPURLTemplate
    let method: String
    /// The members to descend into from the response's top (`data.item`); empty for the whole response.
    let path: [String]
    let headers: [(name: String, value: String)]
    let nonNull: Bool
    let environment: HTTPFields.Environment

    var resolve: FieldResolver {
        { source, arguments, context, _ in try await call(source: source, arguments: arguments, context: context) }
    }

    private func call(source: any Sendable, arguments: Map, context: any Sendable) async throws -> (any Sendable)? {
        var identity: String?
        if template.sources.contains(.identity) { identity = try await environment.identity(context) }
        guard environment.allowCall(context) else {
            throw Self.error("The request makes more calls to other services than it may (\(environment.configuration.maxCallsPerRequest))", ErrorCode.dataLimitExceeded)
        }
        let url: String
        do {
            url = try template.render { placeholder in
                switch placeholder {
                case .argument(let name): Self.text(of: arguments[name])
                case .parent(let name): Self.text(of: DefaultResolver.value(named: name, in: source))
                case .identity: identity
                }
            }
        } catch .noValue(let placeholder) {
            // Nothing to ask about: no call (an empty value would widen it: `/users/` lists them all).
            if nonNull { throw Self.error("\(placeholder) has no value: the field cannot be asked for", ErrorCode.badUserInput) }
            return nil
        } catch .notOneSegment(let placeholder) {
            throw Self.error("\(placeholder) may not be empty, . or .., or hold /, \\ or % in the URL's path", ErrorCode.badUserInput)
        }
        var request = HTTPClientRequest(method: method, url: url, headers: headers + [("Accept", "application/json")], timeout: environment.configuration.timeout)
        if method == "POST" {
            var body = JSONWriter(capacity: 256)
            body.map(arguments)
            request.body = body.bytes
            request.headers.append(("Content-Type", "application/json"))
        }
        let response: HTTPClientResponse
        do {
            response = try await environment.client().execute(request)
        } catch let error as HTTPClientError {
            log("call failed", context: context, detail: error.code.rawValue)
            switch error.code {
            case .timedOut: throw Self.error("The service behind this field did not answer in time", ErrorCode.upstreamTimeout)
            case .responseTooLarge: throw Self.error("The service behind this field answered with more than may be read", ErrorCode.upstreamInvalidResponse)
            case .connectFailed, .transport, .shutdown: throw Self.error("The service behind this field cannot be reached", ErrorCode.upstreamUnavailable)
            }
        }
        switch response.status {
        case 200..<300 where response.status != 204:
            break
        case 204, 404:
            if nonNull { throw Self.error("Not found", ErrorCode.notFound) }
            return nil
        default:
            log("error status", context: context, detail: "\(response.status)")
            throw Self.error("The service behind this field answered with an error", ErrorCode.upstreamError)
        }
        let document: Map
        do {
            document = try JSONParser.parse(response.body, maxDepth: 64)
        } catch {
            log("response is not JSON", context: context, detail: error.message)
            throw Self.error("The service behind this field answered with something other than JSON", ErrorCode.upstreamInvalidResponse)
        }
        var value = document
        for member in path {
            guard case .dictionary(let members) = value else { return nil }
            value = members[member] ?? .null
        }
        return Self.value(of: value)
    }

    private func log(_ message: Logger.Message, context: any Sendable, detail: String) {
        environment.logger.warning(
            "@http \(message)",
            metadata: ["request_id": "\(environment.requestID(context))", "upstream": "\(template.scheme)://\(template.authority)", "detail": "\(detail)"]
        )
    }

    private static func error(_ message: String, _ code: String) -> GraphQLError {
        GraphQLError(message: message, extensions: ["code": .string(code)])
    }

    /// A value in a URL: text as it is, numbers as JSON writes them, booleans as `true`/`false`; nil for none.
    static func text(of value: Map) -> String? {
        switch value {
        case .string(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): number.storageType == .int ? String(number.intValue) : text(ofDouble: number.doubleValue)
        default: nil
        }
    }

    /// A parent object's field in a URL; nil for none.
    static func text(of value: (any Sendable)?) -> String? {
        switch value {
        case let text as String: text
        case let integer as Int: String(integer)
        case let double as Double: text(ofDouble: double)
        case let flag as Bool: flag ? "true" : "false"
        default: nil
        }
    }

    private static func text(ofDouble double: Double) -> String {
        double.rounded() == double && abs(double) < 9.0e15 ? String(Int(double)) : "\(double)"
    }

    /// JSON as the executor reads values: objects as dictionaries (null members left out), arrays as lists,
    /// integral numbers as `Int`, others as `Double`.
    static func value(of json: Map) -> (any Sendable)? {
        switch json {
        case .null, .undefined: return nil
        case .bool(let flag): return flag
        case .string(let text): return text
        case .number(let number):
            if number.storageType == .int { return number.intValue }
            let double = number.doubleValue
            return double.rounded() == double && abs(double) < 9.0e15 ? Int(double) : double
        case .array(let items): return items.map(value(of:))
        case .dictionary(let members):
            var object: [String: any Sendable] = [:]
            for (name, member) in members {
                if let converted = value(of: member) { object[name] = converted }
            }
            return object
        }
    }
}
