import GraphQL
import Testing

@testable import GraphQLHTTP

/// The spec's examples for "Field Selection Merging" (5.3.2), on the spec's schema, and the worst documents the
/// limits let through.
@Suite struct OverlappingFieldsTests {
    static let schema = try! buildSchema(
        source: """
            enum DogCommand { SIT DOWN HEEL }
            enum CatCommand { JUMP }
            interface Pet { name: String! }
            type Dog implements Pet { name: String! nickname: String barkVolume: Int doesKnowCommand(dogCommand: DogCommand): Boolean! owner: Human }
            type Cat implements Pet { name: String! nickname: String meowVolume: Int doesKnowCommand(catCommand: CatCommand): Boolean! }
            type Human { name: String pets: [Pet] }
            type Query { dog: Dog pet: Pet human: Human }
            """
    )
    static let fields = SchemaFieldTypes(schema: schema)

    func messages(_ fragment: String) -> [String] {
        let name = fragment.split(separator: " ")[1]
        let on = fragment.contains(" on Dog ") ? "dog" : "pet"
        let query = "query($dogCommand: DogCommand, $varOne: DogCommand, $varTwo: DogCommand) { \(on) { ...\(name) } } " + fragment
        return OverlappingFields.violations(in: try! parse(source: query), schema: Self.schema, fields: Self.fields).map(\.message)
    }

    @Test(arguments: [
        "fragment mergeIdenticalFields on Dog { name name }",
        "fragment mergeIdenticalAliasesAndFields on Dog { otherName: name otherName: name }",
        "fragment mergeIdenticalFieldsWithIdenticalArgs on Dog { doesKnowCommand(dogCommand: SIT) doesKnowCommand(dogCommand: SIT) }",
        "fragment mergeIdenticalFieldsWithIdenticalValues on Dog { doesKnowCommand(dogCommand: $dogCommand) doesKnowCommand(dogCommand: $dogCommand) }",
        "fragment safeDifferingFields on Pet { ... on Dog { volume: barkVolume } ... on Cat { volume: meowVolume } }",
        "fragment safeDifferingArgs on Pet { ... on Dog { doesKnowCommand(dogCommand: SIT) } ... on Cat { doesKnowCommand(catCommand: JUMP) } }",
    ])
    func theSpecsValidExamplesPass(_ fragment: String) {
        #expect(messages(fragment) == [])
    }

    @Test(arguments: [
        ("fragment conflictingBecauseAlias on Dog { name: nickname name }", "\"nickname\" and \"name\" are different fields"),
        ("fragment conflictingArgsOnValues on Dog { doesKnowCommand(dogCommand: SIT) doesKnowCommand(dogCommand: HEEL) }", "differing arguments"),
        ("fragment conflictingArgsValueAndVar on Dog { doesKnowCommand(dogCommand: SIT) doesKnowCommand(dogCommand: $dogCommand) }", "differing arguments"),
        ("fragment conflictingArgsWithVars on Dog { doesKnowCommand(dogCommand: $varOne) doesKnowCommand(dogCommand: $varTwo) }", "differing arguments"),
        ("fragment differingArgs on Dog { doesKnowCommand(dogCommand: SIT) doesKnowCommand }", "differing arguments"),
        ("fragment conflictingDifferingResponses on Pet { ... on Dog { someValue: nickname } ... on Cat { someValue: meowVolume } }",
         "conflicting types \"String\" and \"Int\""),
    ])
    func theSpecsInvalidExamplesAreRefused(_ fragment: String, _ reason: String) {
        let found = messages(fragment)
        #expect(found.count == 1)
        #expect(found.first?.contains(reason) == true)
    }

    @Test func aConflictNamesBothFieldsAndTheirLocations() {
        let document = try! parse(source: "{ dog { a: name a: nickname } }")
        let errors = OverlappingFields.violations(in: document, schema: Self.schema, fields: Self.fields)
        #expect(errors.map(\.message) == [
            "Fields \"a\" conflict because \"name\" and \"nickname\" are different fields. Use different aliases on the fields to fetch both if this was intentional."
        ])
        #expect(errors.first?.locations.map(\.column) == [9, 17])
        #expect(errors.first?.extensions["code"] == "GRAPHQL_VALIDATION_FAILED")
    }

    @Test func subfieldConflictsAreFoundThroughMergedParents() {
        let document = try! parse(source: "{ dog { owner { x: name } } dog { owner { x: pets { name } } } }")
        let message = OverlappingFields.violations(in: document, schema: Self.schema, fields: Self.fields).first?.message ?? ""
        #expect(message.hasPrefix("Fields \"dog\" conflict because subfields \"owner\" conflict because subfields \"x\" conflict"))
    }

    @Test func fieldsOfDifferentObjectTypesNeedOnlyTheSameShape() {
        let same = "{ pet { ... on Dog { n: barkVolume } ... on Cat { n: meowVolume } } }"
        #expect(OverlappingFields.violations(in: try! parse(source: same), schema: Self.schema, fields: Self.fields).isEmpty)
        let shape = "{ pet { ... on Dog { n: nickname } ... on Cat { n: meowVolume } } }"
        #expect(OverlappingFields.violations(in: try! parse(source: shape), schema: Self.schema, fields: Self.fields).count == 1)
    }

    /// Within the token limit, many fields of one response name at every level: measured, not timed.
    @Test func theWorstDocumentsStayCheap() {
        let wide = "{ " + String(repeating: "human { name } ", count: 600) + "}"
        let chain = String(repeating: "human { pets { ... on Dog { owner { ", count: 4) + "name" + String(repeating: " } } } }", count: 4)
        let deep = "{ " + Array(repeating: chain, count: 60).joined(separator: " ") + " }"
        let mixed = "{ pet { " + (0..<300).map { $0 % 2 == 0 ? "... on Dog { n: nickname }" : "... on Cat { n: nickname }" }.joined(separator: " ") + " } }"
        for query in [wide, deep, mixed] {
            let document = try! parse(source: query)
            let started = ContinuousClock.now
            _ = OverlappingFields.violations(in: document, schema: Self.schema, fields: Self.fields)
            print("overlapping fields on \(query.utf8.count) bytes: \(ContinuousClock.now - started)")
        }
    }
}
