// SPDX-License-Identifier: Apache-2.0
package import GraphQL
import OrderedCollections

/// Builds operation plans, following the spec's `CollectFields`: one set of visited fragments per collection, so a
/// fragment spread again in the same selection is skipped. GraphQLSwift copies that set per nested call and so
/// collects some spreads again, which adds duplicate nodes to keys already collected: both executors select the
/// same fields in the same order, and the planner's walk stays linear in the document.
package struct OperationPlanner {
    /// Field plans one operation may have. An abstract type is planned for each of its possible types, so an
    /// interface with ten implementations nested five deep is 10^5 plans for a document of a few bytes; past this
    /// budget the operation runs on the reference executor, which completes only the types values really have.
    static let maxFieldPlans = 20_000

    /// Why an operation cannot be planned; it then runs on the reference executor.
    package enum Unplannable: Error {
        /// `@skip`/`@include` read a variable: the plan depends on the request (`variables` given, it is built).
        case conditionReadsVariable
        /// An `isTypeOf` check, or input the reference executor would refuse.
        case unsupported
        /// More than `maxFieldPlans` field plans.
        case tooLarge
    }

    let schema: GraphQLSchema
    let resolvers: Resolvers
    /// The request's coerced variables, when planning for one request; nil when planning once for every request.
    let variables: [String: Map]?
    private let fragments: [String: FragmentDefinition]
    private var variableArgumentFields: [FieldPlan] = []
    private var fieldPlans = 0

    init(schema: GraphQLSchema, document: Document, resolvers: Resolvers, variables: [String: Map]?) {
        self.schema = schema
        self.resolvers = resolvers
        self.variables = variables
        var fragments: [String: FragmentDefinition] = [:]
        for case let fragment as FragmentDefinition in document.definitions { fragments[fragment.name.value] = fragment }
        self.fragments = fragments
    }

    package static func plan(
        _ operation: OperationDefinition,
        in document: Document,
        schema: GraphQLSchema,
        resolvers: Resolvers,
        variables: [String: Map]?
    ) throws(Unplannable) -> OperationPlan {
        var planner = OperationPlanner(schema: schema, document: document, resolvers: resolvers, variables: variables)
        let rootType: GraphQLObjectType?
        switch operation.operation {
        case .query: rootType = schema.queryType
        case .mutation: rootType = schema.mutationType
        case .subscription: rootType = schema.subscriptionType
        }
        guard let rootType else { throw .unsupported }
        var fields = OrderedDictionary<String, [Field]>()
        var visited = Set<String>()
        try planner.collect(operation.selectionSet, runtimeType: rootType, into: &fields, visited: &visited)
        let root = try planner.selection(rootType, fields: fields)
        return OperationPlan(operation: operation, root: root, variableArgumentFields: planner.variableArgumentFields)
    }

    private mutating func selection(_ type: GraphQLObjectType, fields: OrderedDictionary<String, [Field]>) throws(Unplannable) -> SelectionPlan {
        if type.isTypeOf != nil { throw .unsupported }
        var plans: [FieldPlan] = []
        for (key, nodes) in fields { plans.append(try field(key, nodes: nodes, parentType: type)) }
        return SelectionPlan(type: type, fields: plans)
    }

    private mutating func field(_ key: String, nodes: [Field], parentType: GraphQLObjectType) throws(Unplannable) -> FieldPlan {
        fieldPlans += 1
        guard fieldPlans <= Self.maxFieldPlans else { throw .tooLarge }
        let name = nodes[0].name.value
        if name == "__typename" {
            return FieldPlan(
                responseKey: key, nodes: nodes, parentType: parentType, definition: nil, resolution: .typeName,
                completion: .nonNull(.leaf(Leaf(GraphQLString)))
            )
        }
        let definition: GraphQLField
        let coordinate: String
        if name == IntrospectionResolvers.schemaField || name == IntrospectionResolvers.typeField {
            // Validation allows them on the query type only.
            guard let root = IntrospectionResolvers.rootDefinition(name, in: schema) else { throw .unsupported }
            (definition, coordinate) = (root, name)
        } else {
            guard let field = (try? parentType.fields())?[name] else { throw .unsupported }
            (definition, coordinate) = (field, "\(parentType.name).\(name)")
        }
        let resolution: FieldPlan.Resolution =
            if let resolve = resolvers.synchronousFields[coordinate] { .synchronous(resolve) }
            else if let resolve = resolvers.fields[coordinate] { .resolver(resolve) }
            else { .property }
        // The subtree first: its fields with variable arguments take their indexes before this one does.
        let completion = try completion(definition.type, nodes: nodes)
        let readsVariables = nodes[0].arguments.contains { InputCoercion.mentionsVariable($0.value) }
        let arguments: FieldPlan.Arguments
        if readsVariables {
            arguments = .perRequest(variableArgumentFields.count)
        } else {
            do {
                arguments = .constant(try InputCoercion.arguments(definition.args, nodes[0].arguments, variables: [:]))
            } catch {
                throw .unsupported
            }
        }
        let plan = FieldPlan(
            responseKey: key, nodes: nodes, parentType: parentType, definition: definition, resolution: resolution,
            arguments: arguments, completion: completion
        )
        if readsVariables { variableArgumentFields.append(plan) }
        return plan
    }

    private mutating func completion(_ type: any GraphQLType, nodes: [Field]) throws(Unplannable) -> Completion {
        switch type {
        case let nonNull as GraphQLNonNull: return .nonNull(try completion(nonNull.ofType, nodes: nodes))
        case let list as GraphQLList: return .list(try completion(list.ofType, nodes: nodes))
        case let leaf as any GraphQLLeafType: return .leaf(Leaf(leaf))
        case let object as GraphQLObjectType: return .object(try subselection(object, nodes: nodes))
        case let abstract as any GraphQLAbstractType:
            var selections: [String: SelectionPlan] = [:]
            for object in schema.getPossibleTypes(abstractType: abstract) {
                selections[object.name] = try subselection(object, nodes: nodes)
            }
            return .abstract(AbstractPlan(type: abstract, selections: selections))
        default: throw .unsupported
        }
    }

    /// The merged selection of every node for values of `type` (GraphQLSwift's `completeObjectValue`).
    private mutating func subselection(_ type: GraphQLObjectType, nodes: [Field]) throws(Unplannable) -> SelectionPlan {
        var fields = OrderedDictionary<String, [Field]>()
        var visited = Set<String>()
        for node in nodes {
            if let selectionSet = node.selectionSet { try collect(selectionSet, runtimeType: type, into: &fields, visited: &visited) }
        }
        return try selection(type, fields: fields)
    }

    /// The spec's `CollectFields`; `visited` is shared by the whole collection (see the type's comment).
    private func collect(
        _ selectionSet: SelectionSet,
        runtimeType: GraphQLObjectType,
        into fields: inout OrderedDictionary<String, [Field]>,
        visited: inout Set<String>
    ) throws(Unplannable) {
        for selection in selectionSet.selections {
            switch selection {
            case let field as Field:
                guard try includes(field.directives) else { continue }
                fields[field.alias?.value ?? field.name.value, default: []].append(field)
            case let inline as InlineFragment:
                guard try includes(inline.directives), matches(inline.typeCondition, runtimeType) else { continue }
                try collect(inline.selectionSet, runtimeType: runtimeType, into: &fields, visited: &visited)
            case let spread as FragmentSpread:
                let name = spread.name.value
                guard !visited.contains(name), try includes(spread.directives) else { continue }
                visited.insert(name)
                guard let fragment = fragments[name], matches(fragment.typeCondition, runtimeType) else { continue }
                try collect(fragment.selectionSet, runtimeType: runtimeType, into: &fields, visited: &visited)
            default:
                continue
            }
        }
    }

    private func includes(_ directives: [Directive]) throws(Unplannable) -> Bool {
        if let skip = directives.first(where: { $0.name.value == "skip" }), try condition(skip) == .bool(true) { return false }
        if let include = directives.first(where: { $0.name.value == "include" }), try condition(include) == .bool(false) { return false }
        return true
    }

    private func condition(_ directive: Directive) throws(Unplannable) -> Map {
        guard let argument = directive.arguments.first(where: { $0.name.value == "if" }) else { throw .unsupported }
        if let variable = argument.value as? Variable {
            guard let variables else { throw .conditionReadsVariable }
            // `if` is `Boolean!`: anything but a boolean is an error the reference executor words.
            guard case .bool(let value) = variables[variable.name.value] else { throw .unsupported }
            return .bool(value)
        }
        guard let literal = argument.value as? BooleanValue else { throw .unsupported }
        return .bool(literal.value)
    }

    private func matches(_ condition: NamedType?, _ type: GraphQLObjectType) -> Bool {
        guard let condition, let conditional = schema.getType(name: condition.name.value) else { return true }
        if let object = conditional as? GraphQLObjectType { return object.name == type.name }
        if let abstract = conditional as? any GraphQLAbstractType { return schema.isSubType(abstractType: abstract, maybeSubType: type) }
        return false
    }
}
