// SPDX-License-Identifier: Apache-2.0
import GraphQL
import GraphQLEngine

/// The spec's rules that every fragment spread names a defined fragment and every fragment is used, checked in one
/// pass before GraphQLSwift's validator, with its messages.
///
/// Unknown and unused fragments are what a hostile document is cheapest to fill with (a chain of fragments that
/// spread each other, never reached from an operation), and GraphQLSwift's validator costs about 10 µs per token
/// on every node of them before it reports them: 9 KB of such fragments took 60–90 ms of a worker (found by the
/// document fuzzer). Refused here, such a document costs a walk of its selections, each fragment walked once.
enum FragmentUsage {
    static func violations(in document: Document) -> [GraphQLError] {
        var fragments: [String: FragmentDefinition] = [:]
        for case let fragment as FragmentDefinition in document.definitions where fragments[fragment.name.value] == nil {
            fragments[fragment.name.value] = fragment
        }
        var errors: [GraphQLError] = []
        var used = Set<String>()
        var pending: [SelectionSet] = []
        for definition in document.definitions {
            guard let selectionSet = (definition as? OperationDefinition)?.selectionSet ?? (definition as? FragmentDefinition)?.selectionSet
            else { continue }
            forEachSpread(in: selectionSet) { spread in
                if fragments[spread.name.value] == nil {
                    errors.append(.located("Unknown fragment \"\(spread.name.value)\".", at: [spread.name]))
                }
            }
            if definition is OperationDefinition { pending.append(selectionSet) }
        }
        // The fragments reached from the operations, each walked once.
        while let selectionSet = pending.popLast() {
            forEachSpread(in: selectionSet) { spread in
                guard let fragment = fragments[spread.name.value], used.insert(spread.name.value).inserted else { return }
                pending.append(fragment.selectionSet)
            }
        }
        for case let fragment as FragmentDefinition in document.definitions where !used.contains(fragment.name.value) {
            errors.append(.located("Fragment \"\(fragment.name.value)\" is never used.", at: [fragment]))
        }
        return errors.map { $0.withCode(ErrorCode.validationFailed) }
    }

    /// Calls `body` with each spread in `selectionSet`, nested fields and inline fragments included (their depth
    /// is bounded by the document scan's nesting limit), spreads not followed.
    private static func forEachSpread(in selectionSet: SelectionSet, _ body: (FragmentSpread) -> Void) {
        for selection in selectionSet.selections {
            switch selection {
            case let field as Field:
                if let child = field.selectionSet { forEachSpread(in: child, body) }
            case let inline as InlineFragment:
                forEachSpread(in: inline.selectionSet, body)
            case let spread as FragmentSpread:
                body(spread)
            default:
                break
            }
        }
    }
}
