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
    var head: String { String(decoding: message().dropLast(body.count), as: UTF8.self) }

    /// The head and the body in one buffer, written to nginx in one call.
    public func message() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + body.count)
        bytes.append(contentsOf: "Status: ".utf8)
        bytes.append(contentsOf: String(status).utf8)
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: Self.reasonPhrase(status).utf8)
        bytes.append(contentsOf: "\r\n".utf8)
        for (name, value) in headers {
            bytes.append(contentsOf: name.utf8)
            bytes.append(contentsOf: ": ".utf8)
            if value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) {
                bytes.append(contentsOf: value.utf8.filter { $0 != 0x0D && $0 != 0x0A })
            } else {
                bytes.append(contentsOf: value.utf8)
            }
            bytes.append(contentsOf: "\r\n".utf8)
        }
        bytes.append(contentsOf: "Content-Length: ".utf8)
        bytes.append(contentsOf: String(body.count).utf8)
        bytes.append(contentsOf: "\r\n\r\n".utf8)
        bytes.append(contentsOf: body)
        return bytes
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
