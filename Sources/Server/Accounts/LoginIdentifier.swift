// SPDX-License-Identifier: Apache-2.0

/// An identifier (email address) as a client typed it, and as Kratos will look it up: Kratos trims it with Go's
/// `strings.TrimSpace` (every Unicode white space, U+0085 and U+00A0 included) and compares it lower-cased with
/// Go's `strings.ToLower` (one scalar to one scalar: `İ` becomes `i`). The throttle counts failures per that form,
/// so `" A@x"`, `"a@x\n"` and `"\u{85}a@x"` are one identifier, as they are one account.
struct LoginIdentifier {
    /// Trimmed as Kratos trims: what is sent to Kratos.
    let trimmed: String
    /// Trimmed and lower-cased as Kratos compares: what the throttle counts.
    let throttleKey: String

    /// Nil when a control character is left after trimming (Kratos would never match such an identifier).
    init?(_ raw: String) {
        let scalars = raw.unicodeScalars
        guard let first = scalars.firstIndex(where: { !Self.isGoSpace($0) }),
            let last = scalars.lastIndex(where: { !Self.isGoSpace($0) })
        else {
            trimmed = ""
            throttleKey = ""
            return
        }
        let kept = scalars[first...last]
        guard !kept.contains(where: { $0.properties.generalCategory == .control }) else { return nil }
        trimmed = String(String.UnicodeScalarView(kept))
        var lowered = String.UnicodeScalarView()
        for scalar in kept { lowered.append(Self.goLowercase(scalar)) }
        throttleKey = String(lowered)
    }

    /// Go's `unicode.IsSpace`: the Latin-1 spaces, then the Unicode White_Space property.
    static func isGoSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0: return true
        case 0..<0x100: return false
        default: return scalar.properties.isWhitespace
        }
    }

    /// Go's `unicode.ToLower`: the simple (one-scalar) lower-case mapping. Swift exposes the full mapping, which
    /// differs only where it has several scalars (`İ` → `i̇`); the simple mapping is then its first scalar.
    static func goLowercase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        scalar.properties.lowercaseMapping.unicodeScalars.first ?? scalar
    }
}
