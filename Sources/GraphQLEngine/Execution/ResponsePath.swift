// SPDX-License-Identifier: Apache-2.0
import GraphQL

/// A response path as a chain to the parent: extending it for a child costs one small allocation, and the array
/// form is built only for an error or a resolver that asks.
final class ResponsePath: Sendable {
    let parent: ResponsePath?
    let element: IndexPathValue

    init(parent: ResponsePath?, element: IndexPathValue) {
        self.parent = parent
        self.element = element
    }

    /// The chain for a path given as an array (GraphQLSwift's); nil for the root.
    static func chain(_ elements: some Sequence<IndexPathValue>) -> ResponsePath? {
        elements.reduce(nil) { parent, element in ResponsePath(parent: parent, element: element) }
    }

    static func indexPath(_ path: ResponsePath?, appending last: IndexPathValue? = nil) -> IndexPath {
        var elements: [IndexPathValue] = last.map { [$0] } ?? []
        var node = path
        while let current = node {
            elements.append(current.element)
            node = current.parent
        }
        return IndexPath(elements.reversed())
    }
}
