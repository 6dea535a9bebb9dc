// SPDX-License-Identifier: Apache-2.0
import GraphQL
import GraphQLEngine

/// The spec's uniqueness rules for operations and fragments, checked before GraphQLSwift's validator sees the
/// document.
///
/// GraphQLSwift 4.3.0 hashes operation and fragment definitions by identity but compares them by structure, and its
/// validation context keys dictionaries by them: two identical definitions (`{ hello } { hello }`, or two
/// `query Q { hello }`) broke Dictionary's contract and trapped the process about one time in four, taking every
/// request of the worker with it (found by `make fuzz`). Such documents are invalid anyway; they are refused here
/// with the same messages GraphQLSwift's rules give, and never reach its validator.
enum DefinitionUniqueness {
    static func violations(in document: Document) -> [GraphQLError] {
        var errors: [GraphQLError] = []
        var operationNames: [String: Name] = [:]
        var fragmentNames: [String: Name] = [:]
        let operations = document.definitions.compactMap { $0 as? OperationDefinition }
        for operation in operations {
            guard let name = operation.name else {
                if operations.count > 1 {
                    errors.append(
                        GraphQLError.located("This anonymous operation must be the only defined operation.", at: [operation])
                    )
                }
                continue
            }
            if let known = operationNames[name.value] {
                errors.append(GraphQLError.located("There can be only one operation named \"\(name.value)\".", at: [known, name]))
            } else {
                operationNames[name.value] = name
            }
        }
        for case let fragment as FragmentDefinition in document.definitions {
            let name = fragment.name
            if let known = fragmentNames[name.value] {
                errors.append(GraphQLError.located("There can be only one fragment named \"\(name.value)\".", at: [known, name]))
            } else {
                fragmentNames[name.value] = name
            }
        }
        return errors.map { $0.withCode(ErrorCode.validationFailed) }
    }
}
