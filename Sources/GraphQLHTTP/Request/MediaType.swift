// SPDX-License-Identifier: Apache-2.0

/// The two response media types of GraphQL over HTTP.
public enum ResponseMediaType: Sendable, Equatable {
    /// `application/graphql-response+json`: status codes say whether the request was executed.
    case graphQLResponse
    /// `application/json`: the legacy type; request errors still answer 200 (in the compatible policy).
    case json

    /// The `Content-Type` header value for this media type, with `charset=utf-8`.
    public var contentType: String {
        switch self {
        case .graphQLResponse: return "application/graphql-response+json; charset=utf-8"
        case .json: return "application/json; charset=utf-8"
        }
    }

    /// Chooses from an `Accept` header, honouring q-values and list order. A missing or empty header means
    /// `application/json`; so do wildcards (`*/*`, `application/*`). Returns nil when nothing acceptable is
    /// offered (406).
    public static func negotiate(accept: String?) -> ResponseMediaType? {
        guard let accept, !accept.allSatisfy({ $0 == " " || $0 == "\t" }) else { return .json }
        switch accept {  // the common values, without parsing
        case "*/*", "application/json": return .json
        case "application/graphql-response+json": return .graphQLResponse
        default: break
        }
        var best: (type: ResponseMediaType, quality: Double)?
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";")
            let name = parts.first.map { $0.trimmingSpaces().lowercased() } ?? ""
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0].trimmingSpaces().lowercased() == "q" {
                    quality = Double(pair[1].trimmingSpaces()) ?? 0
                }
            }
            let type: ResponseMediaType
            switch name {
            case "application/graphql-response+json": type = .graphQLResponse
            case "application/json", "application/*", "*/*": type = .json
            default: continue
            }
            if quality > 0, quality > (best?.quality ?? 0) { best = (type, quality) }
        }
        return best?.type
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
