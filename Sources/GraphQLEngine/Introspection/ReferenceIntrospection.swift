// SPDX-License-Identifier: Apache-2.0
public import GraphQL
import OrderedCollections
import Synchronization

/// Makes GraphQLSwift's executor answer introspection with the plan executor's resolvers, so that both executors
/// answer as graphql-js does. GraphQLSwift 4.3.0's own resolvers fail graphql-js' full introspection query
/// (`__InputValue.isDeprecated` has none: "Cannot return null for non-nullable field"), ignore `includeDeprecated` on
/// arguments and input fields, write no input-field defaults, and sort types and fields by name.
///
/// GraphQLSwift's introspection types are one set per process, shared by every schema, so the resolvers are set once
/// (reassigning a type's `fields` is what GraphQLSwift picks up) and find the schema's model through the request.
public enum ReferenceIntrospection {
    private static let installed = Mutex(false)
    /// The model of the schema asked last: a reload changes it, and a process serves one schema at a time.
    private static let lastModel = Mutex<(schema: GraphQLSchema, model: IntrospectionModel)?>(nil)

    /// Sets the resolvers on the introspection types `schema` (and every other schema of the process) uses.
    /// Idempotent.
    public static func install(on schema: GraphQLSchema) {
        let first = installed.withLock { installed in
            defer { installed = true }
            return !installed
        }
        guard first else { return }
        for typeName in ["__Schema", "__Type", "__Field", "__InputValue", "__EnumValue", "__Directive"] {
            guard let type = schema.getType(name: typeName) as? GraphQLObjectType, let fields = try? type.fields() else { continue }
            for (name, field) in fields {
                guard let resolve = IntrospectionResolvers.table["\(typeName).\(name)"] else { continue }
                field.resolve = { source, arguments, _, info in resolve(reference(to: source), arguments, model(of: info.schema)) }
            }
            type.fields = { fields }
        }
    }

    static func model(of schema: GraphQLSchema) -> IntrospectionModel {
        lastModel.withLock { last in
            if let last, last.schema === schema { return last.model }
            let model = IntrospectionModel(schema)
            last = (schema, model)
            return model
        }
    }

    /// GraphQLSwift's `__type(name:)` hands `__Type`'s fields the type itself; below it they get the model's values.
    private static func reference(to source: any Sendable) -> any Sendable {
        guard let named = source as? any GraphQLNamedType else { return source }
        return IntrospectedTypeReference.named(named.name)
    }
}
