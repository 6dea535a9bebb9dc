// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The process environment and id, read in one place.
enum ProcessInfoEnvironment {
    static var current: [String: String] { ProcessInfo.processInfo.environment }
    static var processID: Int32 { ProcessInfo.processInfo.processIdentifier }
}
