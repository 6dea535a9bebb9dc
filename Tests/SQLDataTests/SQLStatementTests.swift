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

    @Test func aStatementKeyedOnItsParentRunsForAllParents() throws {
        let statement = try #require(SQLStatement("SELECT id, title, author_id FROM posts WHERE author_id = :parent.id AND published ORDER BY id"))
        let batch = try #require(statement.batch)
        #expect(batch.text == "SELECT id, title, author_id FROM posts WHERE author_id IN (SELECT value FROM json_each(?1)) AND published ORDER BY id")
        #expect((batch.position, batch.keyColumn, batch.parentColumn) == (1, "author_id", "id"))
        let qualified = try #require(SQLStatement("SELECT p.id FROM posts p WHERE :q = 1 AND p.author_id=:parent.id"))
        #expect(qualified.batch?.text == "SELECT p.id FROM posts p WHERE ?1 = 1 AND p.author_id IN (SELECT value FROM json_each(?2))")
        #expect(qualified.batch?.keyColumn == "author_id")
    }

    @Test func otherParentStatementsRunOncePerParent() {
        for text in [
            "SELECT id FROM posts WHERE author_id = :parent.id LIMIT 3",  // a limit per parent
            "SELECT id FROM posts WHERE author_id >= :parent.id",
            "SELECT id FROM posts WHERE author_id = :parent.id OR editor_id = :parent.id",
            "SELECT id FROM posts WHERE author_id = :parent.id AND year = :parent.year",
            "SELECT id FROM posts",
        ] {
            #expect(SQLStatement(text)?.batch == nil, "\(text)")
        }
    }

    @Test func bracketAndBacktickNamesAreQuotedText() throws {
        let statement = try #require(SQLStatement("SELECT title AS [post's :title], `x:y` FROM posts WHERE owner = :identity AND id > :after"))
        #expect(statement.text == "SELECT title AS [post's :title], `x:y` FROM posts WHERE owner = ?1 AND id > ?2")
        #expect(statement.parameters == [.identity, .argument("after")])
    }

    @Test func statementsThatCouldChangeMeaningAreNotBatched() {
        for text in [
            "SELECT c.id, c.author_id FROM comments c JOIN posts p ON p.id = c.post_id WHERE p.author_id = :parent.id",
            "SELECT id, author_id FROM posts WHERE author_id = :parent.id OR pinned = 1",
            "SELECT id, author_id FROM posts WHERE NOT author_id = :parent.id",
            "SELECT count(*) AS n, author_id FROM posts WHERE author_id = :parent.id",
            "SELECT id, author_id FROM posts WHERE id IN (SELECT post_id FROM likes WHERE author_id = :parent.id)",
            "SELECT id, team FROM people WHERE team = :parent.team COLLATE NOCASE",
        ] {
            #expect(SQLStatement(text)?.batch == nil, "\(text)")
        }
    }

    @Test func anUnterminatedQuoteOrCommentIsRefused() {
        #expect(SQLStatement("SELECT 'open") == nil)
        #expect(SQLStatement("SELECT 1 /* open") == nil)
        #expect(SQLStatement("SELECT \"open") == nil)
    }
}
