/**
 * `mastervideo`: the command line (`mastervideo concat | serve | worker |
 * doctor`) and the standalone server it runs, also usable from code.
 *
 * Install: `npm install -g mastervideo`, then `mastervideo serve` and open http://127.0.0.1:3000/.
 *
 * @example
 * ```ts
 * import { startServer } from 'mastervideo'
 *
 * const server = await startServer({ port: 3000, dataDir: 'data' })
 * console.log(`dashboard: ${server.url}`)
 * ```
 *
 * @packageDocumentation
 */
export { type Check, runDoctor } from './commands/doctor.js'
export { type DataPaths, dataPaths, projectAssets, standaloneService } from './config.js'
export { consoleLogger, type LogLevel } from './console-logger.js'
export { ensureDemoProject } from './server/demo-project.js'
export { type ClipSummary, type ProjectSummary, projectsApi } from './server/projects-api.js'
export { type StandaloneAppOptions, standaloneApp } from './server/standalone-app.js'
export { type RunningServer, type ServeOptions, startServer } from './server/start-server.js'
