// SPDX-License-Identifier: Apache-2.0
import GraphQL
import GraphQLEngine

/// Picks the operation to run, as the spec's GetOperation does, before execution starts: errors here are request
/// errors (nothing executes), which the status code must reflect.
enum OperationSelection {
    static func select(in document: Document, named name: String?) -> Result<OperationDefinition, GraphQLError> {
        let operations = document.definitions.compactMap { $0 as? OperationDefinition }
        let selected: OperationDefinition
        if let name {
            guard let match = operations.first(where: { $0.name?.value == name }) else {
                return .failure(failure("Unknown operation named \"\(name)\"."))
            }
            selected = match
        } else {
            guard operations.count == 1, let only = operations.first else {
                return .failure(
                    failure(operations.isEmpty ? "Must provide an operation." : "Must provide operation name if query contains multiple operations.")
                )
            }
            selected = only
        }
        return .success(selected)
    }

    /// A request error when the schema has no root type for the operation's kind (GraphQLSwift's validation does
    /// not check it).
    static func checkRootType(of selected: OperationDefinition, in schema: GraphQLSchema) -> Result<OperationDefinition, GraphQLError> {
        switch selected.operation {
        case .mutation where schema.mutationType == nil:
            return .failure(GraphQLError.located("Schema is not configured for mutations.", at: [selected]).withCode(ErrorCode.validationFailed))
        case .subscription where schema.subscriptionType == nil:
            return .failure(GraphQLError.located("Schema is not configured for subscriptions.", at: [selected]).withCode(ErrorCode.validationFailed))
        default:
            return .success(selected)
        }
    }

    private static func failure(_ message: String) -> GraphQLError {
        GraphQLError(message: message, extensions: ["code": .string(ErrorCode.operationResolutionFailure)])
    }
}
