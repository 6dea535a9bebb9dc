// SPDX-License-Identifier: Apache-2.0
import GraphQL
import OrderedCollections

/// One operation of a validated document, compiled once for the plan executor: fields collected and merged per
/// object type (fragments, inline fragments, `@skip`/`@include`), their definitions, resolvers, constant arguments
/// and how each value completes. Immutable, so every worker thread shares it without a lock.
package final class OperationPlan: @unchecked Sendable {
    // @unchecked: GraphQLSwift's AST and type classes are immutable once the schema is built and validated.
    let operation: OperationDefinition
    let root: SelectionPlan
    /// Fields whose arguments mention a variable; `FieldPlan.arguments` holds their index here.
    let variableArgumentFields: [FieldPlan]

    init(operation: OperationDefinition, root: SelectionPlan, variableArgumentFields: [FieldPlan]) {
        self.operation = operation
        self.root = root
        self.variableArgumentFields = variableArgumentFields
    }
}

/// The fields to execute on a value of one object type, in response order.
final class SelectionPlan: @unchecked Sendable {
    let type: GraphQLObjectType
    let fields: [FieldPlan]
    /// Every field, and every field below, runs without an `async` call: the whole subtree completes synchronously.
    let runsSynchronously: Bool
    /// The fields with an asynchronous resolver, when there are several: their resolvers start together.
    let concurrentFields: [Int]
    /// Some field of a built-in scalar type has no resolver of its own: a `ColumnarRow` may write it.
    let readsProperties: Bool

    init(type: GraphQLObjectType, fields: [FieldPlan]) {
        self.type = type
        self.fields = fields
        self.runsSynchronously = fields.allSatisfy(\.runsSynchronously)
        let asynchronous = fields.indices.filter { if case .resolver = fields[$0].resolution { true } else { false } }
        self.concurrentFields = asynchronous.count > 1 ? asynchronous : []
        self.readsProperties = fields.contains { field in
            if case .property = field.resolution { field.nativeLeaf != nil } else { false }
        }
    }
}

final class FieldPlan: @unchecked Sendable {
    enum Resolution {
        case synchronous(SynchronousFieldResolver)
        case resolver(FieldResolver)
        /// No resolver: the parent's entry or property of the field's name.
        case property
        case typeName
    }

    enum Arguments {
        case constant(Map)
        /// Computed per request before execution starts; the index into the request's argument values.
        case perRequest(Int)
    }

    /// What the resolver is told about the field (name, response key, parent and return types).
    let description: FieldDescription
    /// `"key":`, escaped once.
    let keyJSON: [UInt8]
    /// Every node merged into this response key, for error locations.
    let nodes: [Field]
    let parentType: GraphQLObjectType
    let definition: GraphQLField?
    let resolution: Resolution
    let arguments: Arguments
    let completion: Completion
    /// For a field of a built-in scalar type: its kind, so that a native value is written without looking at
    /// `completion` (whose enum payloads cost reference counting on every field).
    let nativeLeaf: ScalarKind?
    /// Leaves, lists of leaves, and objects whose fields all run synchronously complete without an `async` call.
    let completesSynchronously: Bool

    var fieldName: String { description.fieldName }
    var responseKey: String { description.responseKey }

    /// No `async` call at all: the field completes synchronously and its resolver (if any) is synchronous.
    var runsSynchronously: Bool {
        if case .resolver = resolution { return false }
        return completesSynchronously
    }

    init(
        responseKey: String,
        nodes: [Field],
        parentType: GraphQLObjectType,
        definition: GraphQLField?,
        resolution: Resolution,
        arguments: Arguments = .constant(.dictionary([:])),
        completion: Completion
    ) {
        self.description = FieldDescription(
            fieldName: nodes[0].name.value,
            responseKey: responseKey,
            parentType: parentType,
            returnType: definition?.type ?? GraphQLNonNull(GraphQLString)  // `__typename` has no definition
        )
        var key = JSONWriter(capacity: responseKey.utf8.count + 3)
        key.string(responseKey)
        key.raw(":")
        self.keyJSON = key.bytes
        self.nodes = nodes
        self.parentType = parentType
        self.definition = definition
        self.resolution = resolution
        self.arguments = arguments
        self.completion = completion
        self.completesSynchronously = completion.isSynchronous
        switch completion {
        case .leaf(let leaf), .nonNull(.leaf(let leaf)): nativeLeaf = leaf.kind
        default: nativeLeaf = nil
        }
    }

    /// Where this field's value goes under a parent at `parentPath`.
    func position(under parentPath: ResponsePath?) -> ValuePosition {
        ValuePosition(parent: parentPath, element: .key(responseKey))
    }
}

/// How a resolved value becomes JSON, following the field's type.
indirect enum Completion: @unchecked Sendable {
    // @unchecked: its payloads are immutable plans and GraphQLSwift's leaf types.
    case nonNull(Completion)
    case list(Completion)
    case leaf(Leaf)
    case object(SelectionPlan)
    case abstract(AbstractPlan)

    /// The selection of an object item, non-null or not; nil for any other completion.
    var objectSelection: SelectionPlan? {
        switch self {
        case .object(let selection), .nonNull(.object(let selection)): selection
        default: nil
        }
    }

    var isNonNull: Bool { if case .nonNull = self { true } else { false } }

    var isSynchronous: Bool {
        switch self {
        case .nonNull(let inner), .list(let inner): return inner.isSynchronous
        case .leaf: return true
        case .object(let selection): return selection.runsSynchronously
        case .abstract(let abstract): return abstract.selections.values.allSatisfy(\.runsSynchronously)
        }
    }
}

/// A scalar or enum; the built-in scalars are written without going through `serialize` and `Map` when the value
/// has their native Swift type (the output is the same).
struct Leaf {
    let type: any GraphQLLeafType
    /// Nil for enums and custom scalars.
    let kind: ScalarKind?

    init(_ type: any GraphQLLeafType) {
        self.type = type
        switch type as AnyObject {
        case let scalar where scalar === GraphQLString: kind = .string
        case let scalar where scalar === GraphQLInt: kind = .int
        case let scalar where scalar === GraphQLFloat: kind = .float
        case let scalar where scalar === GraphQLBoolean: kind = .boolean
        case let scalar where scalar === GraphQLID: kind = .id
        default: kind = nil
        }
    }
}

/// An interface or union: the selection for each object type a value may turn out to have.
final class AbstractPlan: @unchecked Sendable {
    let type: any GraphQLAbstractType
    let selections: [String: SelectionPlan]

    init(type: any GraphQLAbstractType, selections: [String: SelectionPlan]) {
        self.type = type
        self.selections = selections
    }
}
