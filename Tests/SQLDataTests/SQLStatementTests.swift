import Testing

@testable import SQLData
import SQLite

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

    @Test func postgreSQLStatementsBindDollarPositionsAndBatchWithAny() throws {
        let statement = try #require(SQLStatement(
            "SELECT id, author_id, $$it's :nope$$ AS a, $t$:no$t$ AS b, arr[1:2] FROM posts WHERE author_id = :parent.id AND owner = :identity",
            dialect: .postgresql
        ))
        #expect(statement.text == "SELECT id, author_id, $$it's :nope$$ AS a, $t$:no$t$ AS b, arr[1:2] FROM posts WHERE author_id = $1 AND owner = $2")
        #expect(statement.parameters == [.parent("id"), .identity])
        #expect(statement.batch?.text == "SELECT id, author_id, $$it's :nope$$ AS a, $t$:no$t$ AS b, arr[1:2] FROM posts WHERE author_id = ANY($1) AND owner = $2")
        #expect(SQLStatement("SELECT $$open", dialect: .postgresql) == nil)
        #expect(SQLStatement("SELECT id FROM t WHERE a = ANY(:parent.ids)", dialect: .postgresql)?.batch == nil)
    }

    @Test func aColumnThatIsNotAloneOrATableJoinedByCommaIsNotBatched() {
        for text in [
            "SELECT id, author_id FROM posts WHERE 1000 + author_id = :parent.id",
            "SELECT p.id, u.author_id FROM posts p, users u WHERE u.author_id = :parent.id",
        ] {
            #expect(SQLStatement(text)?.batch == nil, "\(text)")
            #expect(SQLStatement(text, dialect: .postgresql)?.batch == nil, "\(text)")
        }
        #expect(SQLStatement("SELECT id, author_id FROM posts WHERE (author_id = :parent.id)")?.batch != nil)
    }

    @Test func aPostgreSQLStatementsOwnPositionalParametersAreNoticed() throws {
        #expect(try #require(SQLStatement("SELECT id FROM t WHERE a = $1 AND b = :b", dialect: .postgresql)).hasPositionalParameters)
        #expect(try !#require(SQLStatement("SELECT '$1', $$ $2 $$, \"$3\" FROM t WHERE b = :b", dialect: .postgresql)).hasPositionalParameters)
    }

    @Test func postgreSQLKeysAreOneArrayLiteral() {
        #expect(SQLValues.keys([.integer(1), .integer(-2)], for: .postgresql) == "{1,-2}")
        #expect(SQLValues.keys([.text("a"), .text("b\"c\\d,{}")], for: .postgresql) == #"{"a","b\"c\\d,{}"}"#)
        #expect(SQLValues.keys([.integer(1), .text("x")], for: .sqlite) == #"[1,"x"]"#)
    }

    @Test func aPostgreSQLStatementReadsOnlyWhenItsWordsSaySo() {
        #expect(SQLDatabase.onlyReads("SELECT id FROM posts WHERE deleted_at IS NULL"))
        #expect(SQLDatabase.onlyReads("with x as (select 1) select * from x"))
        #expect(!SQLDatabase.onlyReads("WITH gone AS (DELETE FROM posts RETURNING id) SELECT id FROM gone"))
        #expect(!SQLDatabase.onlyReads("SELECT id FROM posts FOR UPDATE"))
        #expect(!SQLDatabase.onlyReads("INSERT INTO t VALUES (1) RETURNING id"))
        #expect(!SQLDatabase.onlyReads("SELECT 1 INTO TEMP t"))
        #expect(!SQLDatabase.onlyReads("SELECT set_config('default_transaction_read_only', 'off', false)"))
    }

    @Test func anUnterminatedQuoteOrCommentIsRefused() {
        #expect(SQLStatement("SELECT 'open") == nil)
        #expect(SQLStatement("SELECT 1 /* open") == nil)
        #expect(SQLStatement("SELECT \"open") == nil)
    }
}
