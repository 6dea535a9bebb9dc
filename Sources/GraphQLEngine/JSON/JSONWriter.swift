// SPDX-License-Identifier: Apache-2.0
public import GraphQL
import OrderedCollections

/// Appends JSON to a byte buffer: `Map` values in their own key order, GraphQL errors, and the response envelope.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []

    /// An empty writer with room for `capacity` bytes reserved.
    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    /// Appends `text` unescaped: JSON punctuation and keywords (`null`, `true`) as they are.
    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends `value` as a JSON string, escaping quotes, backslashes and control characters.
    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings need no escaping: copy those in one go.
        let copied = value.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard !utf8.contains(where: Self.needsEscaping) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied != true {
            for byte in value.utf8 { escaped(byte) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func needsEscaping(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F
    }

    private mutating func escaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): raw("\\\"")
        case UInt8(ascii: "\\"): raw("\\\\")
        case 0x0A: raw("\\n")
        case 0x0D: raw("\\r")
        case 0x09: raw("\\t")
        case 0..<0x20, 0x7F:
            raw("\\u00")
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 0xF)])
        default: bytes.append(byte)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `value` in decimal.
    public mutating func integer(_ value: Int) { bytes.append(contentsOf: String(value).utf8) }

    /// A finite double as `number` writes a `Map` double: integral values below 1e15 without a fraction.
    public mutating func double(_ double: Double) {
        if double == double.rounded(.towardZero), abs(double) < 1e15 {
            integer(Int(double))
        } else {
            bytes.append(contentsOf: "\(double)".utf8)
        }
    }

    /// Bytes already encoded as JSON.
    public mutating func append(_ json: [UInt8]) { bytes.append(contentsOf: json) }

    /// Bytes written so far: a position to hand to `truncate(to:)` later.
    public var count: Int { bytes.count }

    /// Drops what was written after `count` bytes (a value replaced by null).
    public mutating func truncate(to count: Int) { bytes.removeSubrange(count...) }

    /// Appends a `Map` number: a Bool as `true`/`false`, an Int as is, a non-finite double as null.
    public mutating func number(_ value: Number) {
        switch value.storageType {
        case .bool: raw(value.boolValue ? "true" : "false")
        case .int: integer(value.intValue)
        case .double, .unknown:
            let double = value.doubleValue
            if double.isFinite { self.double(double) } else { raw("null") }
        }
    }

    /// Writes `value`; `.undefined` (which JSON cannot carry) is written as null.
    public mutating func map(_ value: Map) {
        switch value {
        case .undefined, .null: raw("null")
        case .bool(let bool): raw(bool ? "true" : "false")
        case .number(let number): self.number(number)
        case .string(let string): self.string(string)
        case .array(let array):
            bytes.append(UInt8(ascii: "["))
            for (offset, element) in array.enumerated() {
                if offset > 0 { bytes.append(UInt8(ascii: ",")) }
                map(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .dictionary(let dictionary):
            bytes.append(UInt8(ascii: "{"))
            var first = true
            for (key, element) in dictionary where element != .undefined {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                string(key)
                bytes.append(UInt8(ascii: ":"))
                map(element)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Writes an error as the GraphQL spec lays it out: message, locations, path, extensions.
    public mutating func error(_ error: GraphQLError) {
        raw("{\"message\":")
        string(error.message)
        if !error.locations.isEmpty {
            raw(",\"locations\":[")
            for (offset, location) in error.locations.enumerated() {
                if offset > 0 { bytes.append(UInt8(ascii: ",")) }
                raw("{\"line\":")
                integer(location.line)
                raw(",\"column\":")
                integer(location.column)
                bytes.append(UInt8(ascii: "}"))
            }
            bytes.append(UInt8(ascii: "]"))
        }
        if !error.path.elements.isEmpty {
            raw(",\"path\":[")
            for (offset, element) in error.path.elements.enumerated() {
                if offset > 0 { bytes.append(UInt8(ascii: ",")) }
                switch element {
                case .index(let index): integer(index)
                case .key(let key): string(key)
                }
            }
            bytes.append(UInt8(ascii: "]"))
        }
        if !error.extensions.isEmpty {
            raw(",\"extensions\":{")
            // Sorted so the output is stable: `extensions` is an unordered dictionary.
            for (offset, key) in error.extensions.keys.sorted().enumerated() {
                if offset > 0 { bytes.append(UInt8(ascii: ",")) }
                string(key)
                bytes.append(UInt8(ascii: ":"))
                map(error.extensions[key]!)
            }
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// The response envelope. `data` is omitted when nil (a request error), written as null when `.null`.
    public mutating func response(data: Map?, errors: [GraphQLError]) {
        openResponse(errors: errors, withData: data != nil)
        if let data { map(data) }
        bytes.append(UInt8(ascii: "}"))
    }

    /// The response envelope around `data` already written as JSON (the plan executor's output).
    public mutating func response(dataJSON: [UInt8], errors: [GraphQLError]) {
        openResponse(errors: errors, withData: true)
        append(dataJSON)
        bytes.append(UInt8(ascii: "}"))
    }

    /// `{`, the errors, and the `data` key when there is data.
    private mutating func openResponse(errors: [GraphQLError], withData: Bool) {
        bytes.append(UInt8(ascii: "{"))
        if !errors.isEmpty {
            raw("\"errors\":[")
            for (offset, error) in errors.enumerated() {
                if offset > 0 { bytes.append(UInt8(ascii: ",")) }
                self.error(error)
            }
            bytes.append(UInt8(ascii: "]"))
        }
        if withData {
            if !errors.isEmpty { bytes.append(UInt8(ascii: ",")) }
            raw("\"data\":")
        }
    }
}
