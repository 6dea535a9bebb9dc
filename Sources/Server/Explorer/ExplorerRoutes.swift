// SPDX-License-Identifier: Apache-2.0
import FastCGI
import Foundation

/// Which requests the explorer answers: a browser's GET of the endpoint itself (HTML accepted, no `query`
/// parameter), and its files under `<endpoint>/explorer/`. Every other request is GraphQL over HTTP.
enum ExplorerRoutes {
    static func response(to request: FastCGIRequest, path: String, endpoint: Endpoint, assets: ExplorerAssets) -> FastCGIResponse? {
        let method = request[parameter: "REQUEST_METHOD"] ?? "GET"
        if path == endpoint.path {
            guard method == "GET", wantsHTML(request[parameter: "HTTP_ACCEPT"]),
                !hasQueryParameter(request[parameter: "QUERY_STRING"] ?? "")
            else { return nil }
            return serve(assets.page, request: request, cache: "no-cache", extra: [
                ("Content-Security-Policy", ExplorerAssets.contentSecurityPolicy),
                ("Referrer-Policy", "no-referrer"),
                ("X-Frame-Options", "DENY"),
            ])
        }
        let prefix = endpoint.explorerPrefix
        guard path.hasPrefix(prefix), method == "GET" || method == "HEAD",
            let asset = assets.files[String(path.dropFirst(prefix.count))]
        else { return nil }
        return serve(asset, request: request, cache: "public, max-age=300", extra: [])
    }

    private static func serve(_ asset: ExplorerAssets.Asset, request: FastCGIRequest, cache: String, extra: [(name: String, value: String)]) -> FastCGIResponse {
        var headers: [(name: String, value: String)] = [("Content-Type", asset.contentType), ("ETag", asset.etag), ("Cache-Control", cache)]
        headers += extra
        if request[parameter: "HTTP_IF_NONE_MATCH"] == asset.etag {
            return FastCGIResponse(status: 304, headers: headers)
        }
        return FastCGIResponse(status: 200, headers: headers, body: request[parameter: "REQUEST_METHOD"] == "HEAD" ? [] : asset.body)
    }

    /// A browser navigation: `text/html` accepted (and preferred over JSON, which browsers also accept as `*/*`).
    private static func wantsHTML(_ accept: String?) -> Bool {
        guard let accept else { return false }
        return accept.split(separator: ",").contains { range in
            let type = range.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
            return type == "text/html" && !range.contains("q=0,") && !range.hasSuffix("q=0")
        }
    }

    private static func hasQueryParameter(_ queryString: String) -> Bool {
        queryString.split(separator: "&").contains { $0 == "query" || $0.hasPrefix("query=") }
    }
}
