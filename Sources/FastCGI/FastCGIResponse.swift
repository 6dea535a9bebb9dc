// SPDX-License-Identifier: Apache-2.0

/// A response in CGI form: nginx turns the `Status:` line and headers into the HTTP response.
public struct FastCGIResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The CGI head: `Status:`, the headers (CR and LF removed from values so no header can be injected),
    /// `Content-Length`, and the blank line.
    var head: String {
        var head = "Status: \(status) \(Self.reasonPhrase(status))\r\n"
        for (name, value) in headers {
            head += name
            head += ": "
            head += Self.withoutLineBreaks(value)
            head += "\r\n"
        }
        head += "Content-Length: \(body.count)\r\n\r\n"
        return head
    }

    /// Scalars, not Characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
    private static func withoutLineBreaks(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) else { return value }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: value.unicodeScalars.filter { $0 != "\r" && $0 != "\n" })
        return String(scalars)
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 413: return "Content Too Large"
        case 415: return "Unsupported Media Type"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 503: return "Service Unavailable"
        default: return status < 400 ? "OK" : status < 500 ? "Client Error" : "Server Error"
        }
    }
}
