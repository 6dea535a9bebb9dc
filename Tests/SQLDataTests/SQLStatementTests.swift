import Testing

@testable import SQLData

@Suite struct SQLStatementTests {
    @Test func namedParametersBecomePositions() throws {
        let statement = try #require(SQLStatement("SELECT * FROM posts WHERE author = :parent.id AND (owner = :identity OR :all) AND id > :after AND :all"))
        #expect(statement.text == "SELECT * FROM posts WHERE author = ?1 AND (owner = ?2 OR ?3) AND id > ?4 AND ?3")
        #expect(statement.parameters == [.parent("id"), .identity, .argument("all"), .argument("after")])
    }

    @Test func quotedTextCommentsAndCastsAreNotParameters() throws {
        let statement = try #require(SQLStatement("SELECT ':a', \"b:c\", 'it''s :d', x::text -- :e\nFROM t /* :f */ WHERE y = :g"))
        #expect(statement.text == "SELECT ':a', \"b:c\", 'it''s :d', x::text -- :e\nFROM t /* :f */ WHERE y = ?1")
        #expect(statement.parameters == [.argument("g")])
    }

    @Test func anUnterminatedQuoteOrCommentIsRefused() {
        #expect(SQLStatement("SELECT 'open") == nil)
        #expect(SQLStatement("SELECT 1 /* open") == nil)
        #expect(SQLStatement("SELECT \"open") == nil)
    }
}
