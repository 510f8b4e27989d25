-- The web UI's accounts (pactum.UserStore). Conventions as in 0001. Ids never come back after a
-- delete (AUTOINCREMENT, as 0008 explains), so that "user 5" in a log names one person.
--
-- users.email is kept in lower case by the store, which makes the unique index case-insensitive.
-- password_hash is argon2id in the PHC string form, its parameters included (package auth).
CREATE TABLE users (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	email TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	role TEXT NOT NULL,
	partner_id INTEGER REFERENCES partners (id),
	advertiser_id INTEGER REFERENCES advertisers (id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

-- A session is found by the SHA-256 of the token in its cookie; the token itself is never
-- stored. Expired ones are swept by expires_at and last_seen_at.
CREATE TABLE sessions (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	hash BLOB NOT NULL UNIQUE,
	user_id INTEGER NOT NULL REFERENCES users (id),
	created_at INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- One-time links to make an account, found by the SHA-256 of their token. created_by is the
-- inviting user (NULL from the command line); no foreign key, so that removing an admin keeps
-- the record of whom it invited.
CREATE TABLE invitations (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	hash BLOB NOT NULL UNIQUE,
	email TEXT NOT NULL,
	role TEXT NOT NULL,
	partner_id INTEGER REFERENCES partners (id),
	advertiser_id INTEGER REFERENCES advertisers (id),
	created_by INTEGER,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	accepted_at INTEGER
);
