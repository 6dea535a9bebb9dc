-- The blog example's tables and a little data: sqlite3 blog.db < schema/examples/blog.sql
-- Authors are linked to Kratos identities by identity_id (set it to an account's `me { id }`).
CREATE TABLE authors (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  identity_id TEXT UNIQUE
);
CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  author_id INTEGER NOT NULL REFERENCES authors (id),
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  published INTEGER NOT NULL DEFAULT 0,
  published_at TEXT
);
CREATE INDEX posts_by_author ON posts (author_id, published_at);
CREATE INDEX posts_by_date ON posts (published, published_at);  -- the newest published posts first
CREATE TABLE comments (
  id INTEGER PRIMARY KEY,
  post_id INTEGER NOT NULL REFERENCES posts (id),
  identity_id TEXT NOT NULL,
  body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX comments_by_post ON comments (post_id, created_at);

INSERT INTO authors (id, name) VALUES (1, 'Ada'), (2, 'Grace');
INSERT INTO posts (author_id, title, body, published, published_at) VALUES
  (1, 'On engines', 'The engine weaves algebraic patterns.', 1, '2026-01-10T09:00:00Z'),
  (1, 'Notes', 'Notes on the analytical engine.', 1, '2026-02-01T09:00:00Z'),
  (2, 'Compilers', 'A compiler translates.', 1, '2026-03-05T09:00:00Z'),
  (2, 'Draft: COBOL', 'Not yet.', 0, NULL);
