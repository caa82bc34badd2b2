// Anki's databases in SQLite compiled to WebAssembly (sql.js). Each side loads sql.js its own way (the extension
// from its own copy of the wasm file, the relay from a module bundled with the Worker) and passes it in.
import type { Database, SqlJsStatic } from "sql.js";
import { fail } from "./errors";

/**
 * Opens an Anki database from its bytes. Anki declares some columns with its own "unicase" collation, which
 * SQLite outside Anki does not have; the copy opened here uses NOCASE instead, which reads the same rows.
 */
export function openAnkiDatabase(SQL: SqlJsStatic, bytes: Uint8Array): Database {
  let db: Database;
  let viewNames: string[] = [];
  try {
    db = new SQL.Database(bytes);
    // Anki's collections hold plain tables only. A view (a recursive one can stand in for "notes" and grow without
    // end when read), a virtual table or a generated column (a tiny row can expand into megabytes when read) is
    // refused before any of the file's own SQL runs.
    const views = db.exec(
      "SELECT name FROM sqlite_master WHERE type = 'view' OR (type = 'table' AND sql LIKE 'CREATE VIRTUAL%') LIMIT 3",
    );
    viewNames = (views[0]?.values ?? []).map((row) => String(row[0]).slice(0, 40));
    const tables = db.exec("SELECT name FROM sqlite_master WHERE type = 'table'")[0]?.values ?? [];
    for (const [name] of tables) {
      // table_xinfo marks generated columns as hidden (2 or 3).
      const columns = db.exec(`PRAGMA table_xinfo("${String(name).replace(/"/g, '""')}")`)[0];
      const hidden = columns?.columns.indexOf("hidden") ?? -1;
      if (columns?.values.some((row) => Number(row[hidden]) >= 2)) viewNames.push(String(name).slice(0, 40));
    }
    if (viewNames.length > 0) {
      db.close();
      return refuseViews(viewNames);
    }
    const uses = db.exec("SELECT count(*) FROM sqlite_master WHERE sql LIKE '%unicase%'");
    if (Number(uses[0]?.values[0]?.[0] ?? 0) > 0) {
      db.exec(
        "PRAGMA writable_schema = ON; " +
          "UPDATE sqlite_master SET sql = replace(replace(sql, 'COLLATE unicase', 'COLLATE NOCASE'), " +
          "'collate unicase', 'COLLATE NOCASE') WHERE sql LIKE '%unicase%'; PRAGMA writable_schema = OFF;",
      );
      const copy = db.export();
      db.close();
      db = new SQL.Database(copy);
    }
  } catch (thrown) {
    if (viewNames.length > 0) throw thrown;
    return fail(describeSqliteError(thrown));
  }
  return db;
}

function refuseViews(names: string[]): never {
  return fail(
    `The collection inside the file holds views, virtual tables or generated columns (${names.map((n) => `"${n}"`).join(", ")}), which Anki never ` +
      "writes; it was not read, and nothing was imported.",
  );
}

export function describeSqliteError(thrown: unknown): string {
  const detail = thrown instanceof Error ? thrown.message : String(thrown);
  if (/malformed|not a database|file is encrypted|disk image/i.test(detail)) {
    return "The collection inside the file is damaged (the database is corrupt), so nothing was imported.";
  }
  return `The collection inside the file could not be read (${detail}), so nothing was imported.`;
}

/** Runs a query and gives its rows as arrays; a damaged database becomes a PackageError. */
export function rows(db: Database, sql: string): unknown[][] {
  try {
    return db.exec(sql)[0]?.values ?? [];
  } catch (thrown) {
    return fail(describeSqliteError(thrown));
  }
}

export function tableExists(db: Database, name: string): boolean {
  return (
    rows(db, `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '${name.replace(/'/g, "''")}'`).length > 0
  );
}
