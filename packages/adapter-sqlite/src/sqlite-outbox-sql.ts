import { quoteIdentifier } from './sql-identifier.js'

/** The quoted names of the outbox tables under one `tablePrefix`. */
export interface OutboxTableNames {
  events: string
  endpoints: string
  deliveries: string
  index: (suffix: string) => string
}

/** The outbox's table names for a validated prefix. */
export function outboxTableNames(prefix: string): OutboxTableNames {
  return {
    events: quoteIdentifier(`${prefix}outbox_events`, 'tablePrefix'),
    endpoints: quoteIdentifier(`${prefix}outbox_endpoints`, 'tablePrefix'),
    deliveries: quoteIdentifier(`${prefix}outbox_deliveries`, 'tablePrefix'),
    index: (suffix) => quoteIdentifier(`${prefix}outbox_deliveries_${suffix}`, 'tablePrefix'),
  }
}

/** Schema version 3: the webhook outbox (events, endpoint names, one delivery per event and endpoint). */
export function outboxMigration(o: OutboxTableNames): string[] {
  return [
    // One row per reported transition, written in its transaction. Times are
    // integer milliseconds, as in the jobs table.
    `CREATE TABLE ${o.events} (
      id TEXT PRIMARY KEY NOT NULL,
      job_id TEXT NOT NULL,
      project_id TEXT NOT NULL,
      type TEXT NOT NULL,
      body TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`,
    `CREATE TABLE ${o.endpoints} (
      name TEXT PRIMARY KEY NOT NULL,
      created_at INTEGER NOT NULL
    )`,
    `CREATE TABLE ${o.deliveries} (
      event_id TEXT NOT NULL,
      endpoint TEXT NOT NULL,
      project_id TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      lease_token TEXT,
      lease_expires_at INTEGER,
      last_error TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      delivered_at INTEGER,
      PRIMARY KEY (event_id, endpoint)
    )`,
    // The claim walks only pending rows, in due order.
    `CREATE INDEX ${o.index('due')} ON ${o.deliveries} (next_attempt_at) WHERE status = 'pending'`,
    `CREATE INDEX ${o.index('project')} ON ${o.deliveries} (project_id, status)`,
  ]
}

/** Every statement of the SQLite outbox; values are always bound parameters. */
export function outboxStatements(o: OutboxTableNames) {
  const view = `SELECT d.*, e.job_id, e.type, e.body FROM ${o.deliveries} AS d JOIN ${o.events} AS e ON e.id = d.event_id`
  return {
    insertEvent: `INSERT INTO ${o.events} (id, job_id, project_id, type, body, created_at)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    // One delivery per registered endpoint, in the transition's transaction.
    fanOut: `INSERT INTO ${o.deliveries}
      (event_id, endpoint, project_id, status, attempts, next_attempt_at, created_at, updated_at)
      SELECT :id, name, :projectId, 'pending', 0, :now, :now, :now FROM ${o.endpoints} WHERE true
      ON CONFLICT (event_id, endpoint) DO NOTHING`,
    register: `INSERT INTO ${o.endpoints} (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`,
    unregister: `DELETE FROM ${o.endpoints} WHERE name = ?`,
    dropPending: `DELETE FROM ${o.deliveries} WHERE endpoint = ? AND status = 'pending'`,
    claim: `UPDATE ${o.deliveries} SET
        lease_token = :token, lease_expires_at = :expiresAt, attempts = attempts + 1, updated_at = :now
      WHERE (event_id, endpoint) IN (
        SELECT event_id, endpoint FROM ${o.deliveries}
        WHERE status = 'pending' AND next_attempt_at <= :now
          AND (lease_expires_at IS NULL OR lease_expires_at <= :now)
          AND endpoint IN (SELECT value FROM json_each(:endpoints))
        ORDER BY next_attempt_at
        LIMIT :limit
      )`,
    claimed: `${view} WHERE d.lease_token = ? ORDER BY d.next_attempt_at`,
    delivered: `UPDATE ${o.deliveries} SET
        status = 'delivered', lease_token = NULL, lease_expires_at = NULL, updated_at = :now, delivered_at = :now
      WHERE event_id = :id AND endpoint = :endpoint AND status = 'pending' AND lease_token = :token`,
    failed: `UPDATE ${o.deliveries} SET
        status = CASE WHEN :retryAt IS NULL THEN 'dead' ELSE 'pending' END,
        next_attempt_at = COALESCE(:retryAt, next_attempt_at),
        last_error = :error, lease_token = NULL, lease_expires_at = NULL, updated_at = :now
      WHERE event_id = :id AND endpoint = :endpoint AND status = 'pending' AND lease_token = :token`,
    retry: `UPDATE ${o.deliveries} SET
        status = 'pending', attempts = 0, next_attempt_at = :now, updated_at = :now,
        lease_token = NULL, lease_expires_at = NULL
      WHERE event_id = :id AND status = 'dead' AND (:endpoint IS NULL OR endpoint = :endpoint)
        AND (:projectId IS NULL OR project_id = :projectId)`,
    list: `${view}
      WHERE (:status IS NULL OR d.status = :status) AND (:projectId IS NULL OR d.project_id = :projectId)
        AND (:endpoint IS NULL OR d.endpoint = :endpoint)
      ORDER BY d.created_at DESC, d.event_id DESC, d.endpoint LIMIT :limit`,
    counts: `SELECT status, COUNT(*) AS n FROM ${o.deliveries}
      WHERE (:projectId IS NULL OR project_id = :projectId) GROUP BY status`,
  }
}
