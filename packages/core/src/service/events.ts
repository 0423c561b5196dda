import { EventEmitter } from 'node:events'
import type { MasterVideoError } from '../errors.js'
import type { MasterVideo } from '../record/master-video.js'

/** A progress report: throttled to one per job per progress interval. */
export interface ProgressEvent {
  id: string
  projectId: string
  /** 0..1 */
  progress: number
}

/**
 * The events a service emits, with their payloads. They describe what this
 * process saw: its own creates, cancels and workers. A job run by a worker in
 * another process is seen through the repository (`get`, `waitFor`).
 */
export interface MasterVideoEvents {
  created: [record: MasterVideo]
  processing: [record: MasterVideo]
  progress: [event: ProgressEvent]
  /**
   * A retryable failure; the job is back in `created` with a later `runAt`.
   * `error` is the attempt's full error (see `failed`).
   */
  retrying: [record: MasterVideo, error?: MasterVideoError]
  completed: [record: MasterVideo]
  /**
   * The job failed for good. `error` is the full error its attempt ended with
   * when a worker of this process ran it: its `details` and `cause` (ffmpeg's
   * stderr tail, server paths) are for the operator's logs and error tracker,
   * never for a client, which gets `record.error` (code and plain message).
   */
  failed: [record: MasterVideo, error?: MasterVideoError]
  canceled: [record: MasterVideo]
  deleted: [record: MasterVideo]
}

/** The name of one of {@link MasterVideoEvents}. */
export type MasterVideoEventName = keyof MasterVideoEvents

/** A typed `EventEmitter`. */
export class MasterVideoEmitter extends EventEmitter<MasterVideoEvents> {}
