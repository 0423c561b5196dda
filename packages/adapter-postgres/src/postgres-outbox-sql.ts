import type { PgQueryConfig } from './pg-types.js'

/** Schema version 3: the webhook outbox (events, endpoint names, one delivery per event and endpoint). */
export function outboxMigrationSql(s: string): string {
  return `
    -- One row per reported transition, written by the transition's own statement.
    CREATE TABLE ${s}.outbox_events (
      id text COLLATE "C" PRIMARY KEY,
      job_id text COLLATE "C" NOT NULL,
      project_id text COLLATE "C" NOT NULL,
      type text NOT NULL,
      body text NOT NULL,
      created_at timestamptz NOT NULL
    );
    CREATE TABLE ${s}.outbox_endpoints (
      name text COLLATE "C" PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE ${s}.outbox_deliveries (
      event_id text COLLATE "C" NOT NULL,
      endpoint text COLLATE "C" NOT NULL,
      project_id text COLLATE "C" NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL,
      lease_token text,
      lease_expires_at timestamptz,
      last_error text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      delivered_at timestamptz,
      PRIMARY KEY (event_id, endpoint)
    );
    -- The claim walks only pending rows, in due order.
    CREATE INDEX outbox_deliveries_due ON ${s}.outbox_deliveries (next_attempt_at) WHERE status = 'pending';
    CREATE INDEX outbox_deliveries_project ON ${s}.outbox_deliveries (project_id, status);
  `
}

const MS = `* interval '1 millisecond'`

/** Every statement of the PostgreSQL outbox against one (validated) schema; values are parameters. */
export function outboxStatements(s: string) {
  const named =
    (key: string, text: string) =>
    (values: unknown[]): PgQueryConfig => ({ name: `mv_outbox_${key}_${s}`, text, values })
  const view = (from: string) =>
    `SELECT d.*, e.job_id, e.type, e.body FROM ${from} AS d JOIN ${s}.outbox_events AS e ON e.id = d.event_id`
  return {
    /**
     * A transition's compare-and-set (`cas`, with `count` parameters) that
     * also writes the event it reports and one delivery per registered
     * endpoint, in the same statement and so the same transaction: only when
     * the compare-and-set wrote its row. The event's five values follow.
     */
    withEvent(cas: string, count: number): string {
      const p = (i: number) => `$${count + i}`
      return `WITH written AS (${cas}),
        event AS (
          INSERT INTO ${s}.outbox_events (id, job_id, project_id, type, body, created_at)
          SELECT ${p(1)}::text, ${p(2)}::text, ${p(3)}::text, ${p(4)}::text, ${p(5)}::text, w.updated_at FROM written AS w
          ON CONFLICT (id) DO NOTHING
          RETURNING id, project_id, created_at
        ),
        fan AS (
          INSERT INTO ${s}.outbox_deliveries
            (event_id, endpoint, project_id, status, attempts, next_attempt_at, created_at, updated_at)
          SELECT ev.id, e.name, ev.project_id, 'pending', 0, ev.created_at, ev.created_at, ev.created_at
          FROM event AS ev CROSS JOIN ${s}.outbox_endpoints AS e
          ON CONFLICT (event_id, endpoint) DO NOTHING
        )
        SELECT * FROM written`
    },
    /** $1 name. */
    register: named(
      'register',
      `INSERT INTO ${s}.outbox_endpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`,
    ),
    /** $1 name. */
    unregister: named(
      'unregister',
      `WITH gone AS (DELETE FROM ${s}.outbox_endpoints WHERE name = $1)
       DELETE FROM ${s}.outbox_deliveries WHERE endpoint = $1 AND status = 'pending'`,
    ),
    /** $1 endpoints, $2 token, $3 lease ms, $4 limit. Skips rows another claimer holds locked. */
    claim: named(
      'claim',
      `WITH due AS (
         SELECT event_id, endpoint FROM ${s}.outbox_deliveries
         WHERE status = 'pending' AND next_attempt_at <= now()
           AND (lease_expires_at IS NULL OR lease_expires_at <= now())
           AND endpoint = ANY($1::text[])
         ORDER BY next_attempt_at
         LIMIT $4
         FOR UPDATE SKIP LOCKED
       ), taken AS (
         UPDATE ${s}.outbox_deliveries AS d SET
           lease_token = $2, lease_expires_at = now() + $3::float8 ${MS},
           attempts = d.attempts + 1, updated_at = now()
         FROM due WHERE d.event_id = due.event_id AND d.endpoint = due.endpoint
         RETURNING d.*
       )
       ${view('taken')} ORDER BY d.next_attempt_at`,
    ),
    /** $1 event id, $2 endpoint, $3 token. */
    delivered: named(
      'delivered',
      `UPDATE ${s}.outbox_deliveries SET status = 'delivered', lease_token = NULL, lease_expires_at = NULL,
         updated_at = now(), delivered_at = now()
       WHERE event_id = $1 AND endpoint = $2 AND status = 'pending' AND lease_token = $3`,
    ),
    /** $1 event id, $2 endpoint, $3 token, $4 retry at or null (dead), $5 error. */
    failed: named(
      'failed',
      `UPDATE ${s}.outbox_deliveries SET
         status = CASE WHEN $4::timestamptz IS NULL THEN 'dead' ELSE 'pending' END,
         next_attempt_at = coalesce($4::timestamptz, next_attempt_at),
         last_error = $5, lease_token = NULL, lease_expires_at = NULL, updated_at = now()
       WHERE event_id = $1 AND endpoint = $2 AND status = 'pending' AND lease_token = $3`,
    ),
    /** $1 event id, $2 endpoint or null, $3 project or null. */
    retry: named(
      'retry',
      `UPDATE ${s}.outbox_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(),
         updated_at = now(), lease_token = NULL, lease_expires_at = NULL
       WHERE event_id = $1 AND status = 'dead' AND ($2::text IS NULL OR endpoint = $2)
         AND ($3::text IS NULL OR project_id = $3)`,
    ),
    /** $1 status, $2 project, $3 endpoint (each or null), $4 limit. */
    list: named(
      'list',
      `${view(`${s}.outbox_deliveries`)}
       WHERE ($1::text IS NULL OR d.status = $1) AND ($2::text IS NULL OR d.project_id = $2)
         AND ($3::text IS NULL OR d.endpoint = $3)
       ORDER BY d.created_at DESC, d.event_id DESC, d.endpoint LIMIT $4`,
    ),
    /** $1 project or null. */
    counts: named(
      'counts',
      `SELECT status, count(*)::int AS n FROM ${s}.outbox_deliveries
       WHERE ($1::text IS NULL OR project_id = $1) GROUP BY status`,
    ),
  }
}
