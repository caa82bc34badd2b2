// Every query on users and sessions (the counts of failed logins are in lib/rate-limit.ts). Rows are mapped to objects here and nowhere else.
import type { PasswordHash } from "../lib/password";
import { deleteCollectionStatements } from "./collections";
import { deleteMediaStatements } from "./media";

export interface UserRow {
  id: number;
  username: string;
  createdAt: number;
  password: PasswordHash;
}

interface RawUser {
  id: number;
  username: string;
  created_at: number;
  password_hash: string;
  password_salt: string;
  password_iterations: number;
}

function toUser(row: RawUser): UserRow {
  return {
    id: row.id,
    username: row.username,
    createdAt: row.created_at,
    password: { hash: row.password_hash, salt: row.password_salt, iterations: row.password_iterations },
  };
}

export async function findUserByKey(db: D1Database, usernameKey: string): Promise<UserRow | null> {
  const row = await db.prepare("SELECT * FROM users WHERE username_key = ?1").bind(usernameKey).first<RawUser>();
  return row ? toUser(row) : null;
}

export async function findUserById(db: D1Database, id: number): Promise<UserRow | null> {
  const row = await db.prepare("SELECT * FROM users WHERE id = ?1").bind(id).first<RawUser>();
  return row ? toUser(row) : null;
}

/** Creates the user and its first session in one batch; null when the username is taken. */
export async function insertUserWithSession(
  db: D1Database,
  user: { username: string; usernameKey: string; password: PasswordHash; now: number },
  tokenHash: string,
): Promise<number | null> {
  try {
    const [inserted] = await db.batch<{ id: number }>([
      db
        .prepare(
          `INSERT INTO users (username, username_key, password_hash, password_salt, password_iterations, created_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id`,
        )
        .bind(
          user.username,
          user.usernameKey,
          user.password.hash,
          user.password.salt,
          user.password.iterations,
          user.now,
        ),
      db
        .prepare(
          `INSERT INTO sessions (token_hash, user_id, created_at, last_used_at)
           SELECT ?1, id, ?3, ?3 FROM users WHERE username_key = ?2`,
        )
        .bind(tokenHash, user.usernameKey, user.now),
    ]);
    return inserted?.results[0]?.id ?? null;
  } catch (error) {
    if (String((error as Error).message).includes("UNIQUE constraint failed: users.username_key")) return null;
    throw error;
  }
}

export async function insertSession(db: D1Database, tokenHash: string, userId: number, now: number): Promise<void> {
  await db
    .prepare("INSERT INTO sessions (token_hash, user_id, created_at, last_used_at) VALUES (?1, ?2, ?3, ?3)")
    .bind(tokenHash, userId, now)
    .run();
}

export interface SessionRow {
  userId: number;
  username: string;
  lastUsedAt: number;
}

export async function findSession(db: D1Database, tokenHash: string): Promise<SessionRow | null> {
  const row = await db
    .prepare(
      `SELECT s.user_id AS userId, u.username AS username, s.last_used_at AS lastUsedAt
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1`,
    )
    .bind(tokenHash)
    .first<SessionRow>();
  return row ?? null;
}

export async function touchSession(db: D1Database, tokenHash: string, now: number): Promise<void> {
  await db.prepare("UPDATE sessions SET last_used_at = ?2 WHERE token_hash = ?1").bind(tokenHash, now).run();
}

export async function deleteSession(db: D1Database, tokenHash: string): Promise<void> {
  await db.prepare("DELETE FROM sessions WHERE token_hash = ?1").bind(tokenHash).run();
}

/** Removes the user and every row it owns, in one batch. */
export async function deleteUser(db: D1Database, userId: number): Promise<void> {
  await db.batch([
    ...deleteCollectionStatements(db, userId),
    ...deleteMediaStatements(db, userId),
    db.prepare("DELETE FROM sessions WHERE user_id = ?1").bind(userId),
    // The addresses it signed in from (keys "<username key> <address>"; a username has no spaces), so that a later
    // account of the same name starts anew.
    db
      .prepare(
        "DELETE FROM login_known WHERE substr(key, 1, instr(key, ' ') - 1) = (SELECT username_key FROM users WHERE id = ?1)",
      )
      .bind(userId),
    db.prepare("DELETE FROM users WHERE id = ?1").bind(userId),
  ]);
}
