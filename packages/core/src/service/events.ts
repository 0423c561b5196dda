import { EventEmitter } from 'node:events'
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
  /** A retryable failure; the job is back in `created` with a later `runAt`. */
  retrying: [record: MasterVideo]
  completed: [record: MasterVideo]
  failed: [record: MasterVideo]
  canceled: [record: MasterVideo]
  deleted: [record: MasterVideo]
}

/** The name of one of {@link MasterVideoEvents}. */
export type MasterVideoEventName = keyof MasterVideoEvents

/** A typed `EventEmitter`. */
export class MasterVideoEmitter extends EventEmitter<MasterVideoEvents> {}
