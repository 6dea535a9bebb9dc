// SPDX-License-Identifier: Apache-2.0
import GraphQL
import GraphQLEngine

/// The spec's "Field Selection Merging" rule (`OverlappingFieldsCanBeMerged`), which GraphQLSwift 4.3.0 does not run
/// (it is commented out there): two fields with one response name must be the same field with the same arguments
/// when they can apply to the same object, and must have the same response shape in any case, down their
/// subselections. Checked once per document, with the document, after GraphQLSwift's rules.
///
/// Not pairwise as written in the spec, and not exponential either: fields of one response name are compared with
/// one representative (shape and name/argument equality are transitive), and the subselections of the fields that
/// must merge are checked as one union — the same verdicts, in work proportional to the expanded selections, which
/// the selection limit bounds.
struct OverlappingFields {
    private let schema: GraphQLSchema
    private let fields: SchemaFieldTypes
    private let fragments: [String: FragmentDefinition]

    /// One field as collected: its node, the type it was selected on, and its definition there (nil for unknown
    /// fields, which other rules refuse).
    private struct Collected {
        let node: Field
        let parent: any GraphQLNamedType
        let type: (any GraphQLType)?
        /// Which of the selection sets being merged it came from.
        let origin: Int
    }

    /// A selection set to merge, the type it selects on, and a tag that conflicts report back.
    private typealias Source = (selectionSet: SelectionSet, parent: any GraphQLNamedType, origin: Int)

    private struct Conflict {
        let responseName: String
        let reason: String
        let nodes: [Field]
        /// The tags of the sets whose fields conflict.
        let origins: Set<Int>
    }

    static func violations(in document: Document, schema: GraphQLSchema, fields: SchemaFieldTypes) -> [GraphQLError] {
        var fragments: [String: FragmentDefinition] = [:]
        for case let fragment as FragmentDefinition in document.definitions { fragments[fragment.name.value] = fragment }
        let rule = OverlappingFields(schema: schema, fields: fields, fragments: fragments)
        var errors: [GraphQLError] = []
        for case let operation as OperationDefinition in document.definitions {
            let root: GraphQLObjectType? =
                switch operation.operation {
                case .query: schema.queryType
                case .mutation: schema.mutationType
                case .subscription: schema.subscriptionType
                }
            guard let root else { continue }
            for conflict in rule.conflicts(in: [(operation.selectionSet, root, 0)], exclusive: false) {
                errors.append(
                    GraphQLError.located(
                        "Fields \"\(conflict.responseName)\" conflict because \(conflict.reason). "
                            + "Use different aliases on the fields to fetch both if this was intentional.",
                        at: conflict.nodes,
                        extensions: ["code": .string(ErrorCode.validationFailed)]
                    )
                )
            }
        }
        return errors
    }

    /// The conflicts among the fields of `sets` merged together. With `exclusive` (their parents were already on
    /// different object types, so they never apply to one object), only their response shapes must agree.
    private func conflicts(in sets: [Source], exclusive: Bool) -> [Conflict] {
        var groups: [String: [Collected]] = [:]
        var order: [String] = []
        for set in sets {
            var visited = Set<String>()  // per set: each is one field's selection, collected as the spec does
            collect(set.selectionSet, parent: set.parent, origin: set.origin, into: &groups, order: &order, visited: &visited)
        }
        var found: [Conflict] = []
        for responseName in order {
            // A lone field too: conflicts may lie within its subselection.
            guard let fields = groups[responseName] else { continue }
            if let conflict = conflict(responseName, fields, exclusive: exclusive) { found.append(conflict) }
        }
        return found
    }

    private func conflict(_ responseName: String, _ fields: [Collected], exclusive: Bool) -> Conflict? {
        let first = fields[0]
        // Name and arguments, where two fields can apply to the same object: all of them when one is selected on an
        // interface or union, else those on the same object type; none when their parents were already exclusive.
        var classes: [[Int]]  // indexes into `fields`
        if exclusive {
            classes = []
        } else if fields.contains(where: { !($0.parent is GraphQLObjectType) }) {
            classes = [Array(fields.indices)]
        } else {
            var byParent: [String: [Int]] = [:]
            var parents: [String] = []
            for (position, field) in fields.enumerated() {
                if byParent[field.parent.name] == nil { parents.append(field.parent.name) }
                byParent[field.parent.name, default: []].append(position)
            }
            classes = parents.compactMap { byParent[$0] }
        }
        for members in classes {
            let representative = fields[members[0]]
            for other in members.dropFirst().map({ fields[$0] }) {
                if representative.node.name.value != other.node.name.value {
                    return Conflict(
                        responseName: responseName,
                        reason: "\"\(representative.node.name.value)\" and \"\(other.node.name.value)\" are different fields",
                        nodes: [representative.node, other.node],
                        origins: [representative.origin, other.origin]
                    )
                }
                if !Self.sameArguments(representative.node, other.node) {
                    return Conflict(
                        responseName: responseName, reason: "they have differing arguments", nodes: [representative.node, other.node],
                        origins: [representative.origin, other.origin]
                    )
                }
            }
        }
        // Shape, for every pair (equality of shapes is transitive, so against the first).
        for other in fields.dropFirst() {
            if let firstType = first.type, let otherType = other.type, Self.typesConflict(firstType, otherType) {
                return Conflict(
                    responseName: responseName,
                    reason: "they return conflicting types \"\(firstType)\" and \"\(otherType)\"",
                    nodes: [first.node, other.node],
                    origins: [first.origin, other.origin]
                )
            }
        }
        // Subselections: merged within each class of fields that must merge; across classes, shapes only.
        // Each subselection is tagged with its field's index here, to tell a conflict inside one field's selection
        // from one between two fields'.
        func subselections(_ members: [Int]) -> [Source] {
            members.compactMap { position in
                let field = fields[position]
                guard let selectionSet = field.node.selectionSet, let type = field.type, let named = Self.namedType(type) else { return nil }
                return (selectionSet, named, position)
            }
        }
        var nested = classes.flatMap { conflicts(in: subselections($0), exclusive: false) }
        if nested.isEmpty, classes.count != 1 {
            nested = conflicts(in: subselections(Array(fields.indices)), exclusive: true)
        }
        guard let inner = nested.first else { return nil }
        // Within one field's own selection it is that selection's conflict (as graphql-js reports it); between the
        // selections of two fields of this name, theirs.
        let outer = inner.origins.sorted().map { fields[$0] }
        guard outer.count > 1 else {
            return Conflict(responseName: inner.responseName, reason: inner.reason, nodes: inner.nodes, origins: Set(outer.map(\.origin)))
        }
        return Conflict(
            responseName: responseName,
            reason: "subfields \"\(inner.responseName)\" conflict because \(inner.reason)",
            nodes: outer.map(\.node) + inner.nodes,
            origins: Set(outer.map(\.origin))
        )
    }

    /// The fields of a selection set with fragments expanded, grouped by response name (one visited set per
    /// collection, as the spec's CollectFields, so each fragment is walked once here).
    private func collect(
        _ selectionSet: SelectionSet,
        parent: any GraphQLNamedType,
        origin: Int,
        into groups: inout [String: [Collected]],
        order: inout [String],
        visited: inout Set<String>
    ) {
        for selection in selectionSet.selections {
            switch selection {
            case let field as Field:
                let key = field.alias?.value ?? field.name.value
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(Collected(node: field, parent: parent, type: fieldType(field.name.value, on: parent), origin: origin))
            case let inline as InlineFragment:
                let scope = inline.typeCondition.flatMap { schema.getType(name: $0.name.value) } ?? parent
                collect(inline.selectionSet, parent: scope, origin: origin, into: &groups, order: &order, visited: &visited)
            case let spread as FragmentSpread:
                let name = spread.name.value
                guard visited.insert(name).inserted, let fragment = fragments[name],
                    let scope = schema.getType(name: fragment.typeCondition.name.value)
                else { continue }
                collect(fragment.selectionSet, parent: scope, origin: origin, into: &groups, order: &order, visited: &visited)
            default:
                continue
            }
        }
    }

    private func fieldType(_ name: String, on parent: any GraphQLNamedType) -> (any GraphQLType)? {
        if name == "__typename" { return GraphQLNonNull(GraphQLString) }
        return fields.type(of: name, in: parent.name)
    }

    /// graphql-js' `doTypesConflict`: list and non-null wrappers must match, and leaves must be the same type.
    private static func typesConflict(_ a: any GraphQLType, _ b: any GraphQLType) -> Bool {
        switch (a, b) {
        case (let listA as GraphQLList, let listB as GraphQLList): return typesConflict(listA.ofType, listB.ofType)
        case (is GraphQLList, _), (_, is GraphQLList): return true
        case (let nonNullA as GraphQLNonNull, let nonNullB as GraphQLNonNull): return typesConflict(nonNullA.ofType, nonNullB.ofType)
        case (is GraphQLNonNull, _), (_, is GraphQLNonNull): return true
        default:
            guard a is any GraphQLLeafType || b is any GraphQLLeafType else { return false }
            return (a as? any GraphQLNamedType)?.name != (b as? any GraphQLNamedType)?.name
        }
    }

    private static func namedType(_ type: any GraphQLType) -> (any GraphQLNamedType)? {
        switch type {
        case let list as GraphQLList: namedType(list.ofType)
        case let nonNull as GraphQLNonNull: namedType(nonNull.ofType)
        default: type as? any GraphQLNamedType
        }
    }

    /// The same arguments: the same names with the same printed values, in any order.
    private static func sameArguments(_ a: Field, _ b: Field) -> Bool {
        guard a.arguments.count == b.arguments.count else { return false }
        let printed = Dictionary(a.arguments.map { ($0.name.value, print(ast: $0.value)) }, uniquingKeysWith: { first, _ in first })
        return b.arguments.allSatisfy { printed[$0.name.value] == print(ast: $0.value) }
    }
}
