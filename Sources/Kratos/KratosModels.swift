// SPDX-License-Identifier: Apache-2.0
public import Foundation

/// A Kratos session (`GET /sessions/whoami`), with the fields graphql-fcgi uses.
public struct KratosSession: Sendable, Decodable, Equatable {
    public var id: String
    public var active: Bool?
    public var expiresAt: String?
    public var authenticatedAt: String?
    public var issuedAt: String?
    public var authenticatorAssuranceLevel: String?
    public var identity: KratosIdentity?
    public var devices: [Device]?

    public struct Device: Sendable, Decodable, Equatable {
        public var id: String
        public var ipAddress: String?
        public var userAgent: String?
        public var location: String?
    }

    public init(id: String, active: Bool? = true, expiresAt: String? = nil, identity: KratosIdentity? = nil) {
        self.id = id
        self.active = active
        self.expiresAt = expiresAt
        self.identity = identity
    }

    /// `expires_at` as a date, when Kratos sent one that parses.
    public var expiryDate: Date? { expiresAt.flatMap(RFC3339.date(from:)) }
}

/// A Kratos identity, as sessions and flows carry it (never its credentials).
public struct KratosIdentity: Sendable, Decodable, Equatable {
    public var id: String
    public var schemaId: String?
    public var state: String?
    public var traits: Traits?
    public var verifiableAddresses: [VerifiableAddress]?
    public var createdAt: String?
    public var updatedAt: String?

    public struct Traits: Sendable, Decodable, Equatable {
        public var email: String?
    }

    public struct VerifiableAddress: Sendable, Decodable, Equatable {
        public var value: String
        public var verified: Bool
        public var via: String?
    }

    public var email: String? { traits?.email }

    /// Whether the identity's email address has been verified.
    public var isVerified: Bool {
        verifiableAddresses?.contains { $0.verified && $0.value.lowercased() == email?.lowercased() } ?? false
    }
}

/// A message Kratos put in a flow's `ui`: the stable numeric id (4000006, 4000032, …), its English text, and the
/// form field it concerns (nil for the whole form).
public struct KratosMessage: Sendable, Equatable {
    public var id: Int
    public var text: String
    public var field: String?

    public init(id: Int, text: String, field: String? = nil) {
        self.id = id
        self.text = text
        self.field = field
    }
}

/// The result of a native login or of a registration with the session hook.
public struct KratosAuthentication: Sendable {
    public var sessionToken: String
    public var session: KratosSession

    /// A session and its token (from a login, a registration, or a recovery's `continue_with` and `whoami`).
    public init(sessionToken: String, session: KratosSession) {
        self.sessionToken = sessionToken
        self.session = session
    }
}

// Wire shapes used only for decoding.

struct FlowBody: Decodable {
    var id: String
    var ui: UI?
    var state: String?

    struct UI: Decodable {
        var messages: [Text]?
        var nodes: [Node]?
    }

    struct Node: Decodable {
        var attributes: Attributes?
        var messages: [Text]?
    }

    struct Attributes: Decodable {
        var name: String?
    }

    struct Text: Decodable {
        var id: Int
        var text: String
        var type: String?
    }

    /// Every error message of the flow, the form's first, then each field's.
    var errorMessages: [KratosMessage] {
        var messages = (ui?.messages ?? []).filter { $0.type != "success" && $0.type != "info" }.map {
            KratosMessage(id: $0.id, text: $0.text)
        }
        for node in ui?.nodes ?? [] {
            for text in node.messages ?? [] where text.type == "error" {
                messages.append(KratosMessage(id: text.id, text: text.text, field: node.attributes?.name))
            }
        }
        return messages
    }
}

struct ErrorEnvelope: Decodable {
    var error: Detail

    struct Detail: Decodable {
        var id: String?
        var code: Int?
        var reason: String?
        var message: String?
    }
}

struct LoginBody: Decodable {
    var sessionToken: String?
    var session: KratosSession
}

struct RegistrationBody: Decodable {
    var sessionToken: String?
    var session: KratosSession?
    var identity: KratosIdentity
}

struct BrowserLogoutBody: Decodable {
    var logoutToken: String
}

struct SessionCountBody: Decodable {
    var count: Int
}

/// RFC 3339 timestamps as Kratos writes them (`2026-12-02T16:33:20.080243Z`, any fraction, `Z` or an offset).
enum RFC3339 {
    static func date(from text: String) -> Date? {
        let scalars = Array(text.utf8)
        guard scalars.count >= 20 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard scalars[index] >= 0x30, scalars[index] <= 0x39 else { return nil }
                value = value * 10 + Int(scalars[index] - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < scalars.count, scalars[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < scalars.count, scalars[index] >= 0x30, scalars[index] <= 0x39 {
                fraction += Double(scalars[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        if index < scalars.count, scalars[index] == UInt8(ascii: "+") || scalars[index] == UInt8(ascii: "-") {
            guard index + 6 <= scalars.count, let hours = number(index + 1..<index + 3),
                let minutes = number(index + 4..<index + 6)
            else { return nil }
            offset = (hours * 3600 + minutes * 60) * (scalars[index] == UInt8(ascii: "-") ? -1 : 1)
        } else if index >= scalars.count || (scalars[index] != UInt8(ascii: "Z") && scalars[index] != UInt8(ascii: "z")) {
            return nil
        }
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        components.hour = hour
        components.minute = minute
        components.second = second
        components.timeZone = TimeZone(secondsFromGMT: 0)
        guard let base = Calendar(identifier: .gregorian).date(from: components) else { return nil }
        return base.addingTimeInterval(fraction - Double(offset))
    }
}
