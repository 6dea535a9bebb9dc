// SPDX-License-Identifier: Apache-2.0

/// One request as nginx passed it: the CGI parameters and the body, read in full before the handler runs.
public struct FastCGIRequest: Sendable {
    /// The parameters as libfcgi holds them (`NAME=VALUE`), copied in one buffer: a request looks up a dozen of
    /// the ~40 nginx sends, and building a dictionary of them all (a string and a hash each) took ~6 % of a worker's
    /// CPU under wrk, about 5 µs a request.
    private var parameterBytes: [UInt8] = []
    /// Where each parameter's name ends and its value ends in `parameterBytes` (each starts after the previous).
    private var parameterBounds: [(nameEnd: Int32, valueEnd: Int32)] = []
    /// The request body; empty when it was larger than the configured limit.
    public var body: [UInt8]
    /// True when the body was larger than `WorkerPool.Configuration.maxBodyBytes` and was discarded.
    public var bodyExceededLimit: Bool

    public init(parameters: [String: String], body: [UInt8] = [], bodyExceededLimit: Bool = false) {
        self.body = body
        self.bodyExceededLimit = bodyExceededLimit
        for (name, value) in parameters { appendParameter(name: name.utf8, value: value.utf8) }
    }

    init(body: [UInt8], bodyExceededLimit: Bool) {
        self.body = body
        self.bodyExceededLimit = bodyExceededLimit
    }

    mutating func appendParameter(name: some Collection<UInt8>, value: some Collection<UInt8>) {
        parameterBytes.append(contentsOf: name)
        let nameEnd = Int32(parameterBytes.count)
        parameterBytes.append(contentsOf: value)
        parameterBounds.append((nameEnd, Int32(parameterBytes.count)))
    }

    /// CGI/FastCGI parameters (`REQUEST_METHOD`, `QUERY_STRING`, `CONTENT_TYPE`, `HTTP_ACCEPT`, …).
    public var parameters: [String: String] {
        var parameters: [String: String] = [:]
        var start = 0
        for (nameEnd, valueEnd) in parameterBounds {
            let name = String(decoding: parameterBytes[start..<Int(nameEnd)], as: UTF8.self)
            parameters[name] = String(decoding: parameterBytes[Int(nameEnd)..<Int(valueEnd)], as: UTF8.self)
            start = Int(valueEnd)
        }
        return parameters
    }

    public subscript(parameter name: String) -> String? {
        var name = name
        return name.withUTF8 { wanted in
            parameterBytes.withUnsafeBufferPointer { bytes in
                var start = 0
                for (nameEnd, valueEnd) in parameterBounds {
                    if Int(nameEnd) - start == wanted.count, UnsafeBufferPointer(rebasing: bytes[start..<Int(nameEnd)]).elementsEqual(wanted) {
                        return String(decoding: bytes[Int(nameEnd)..<Int(valueEnd)], as: UTF8.self)
                    }
                    start = Int(valueEnd)
                }
                return nil
            }
        }
    }
}
