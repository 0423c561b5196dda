// PM2: the API server and the worker as two apps, as the original system ran
// them, with auto-restart, a memory limit and log files.
//
//   npm install -g pm2 mastervideo
//   pm2 start ecosystem.config.cjs
//   pm2 logs mastervideo-worker --lines 50
//
// The server runs without an in-process worker (--no-worker); the worker app
// claims jobs from the same SQLite file. SIGTERM (pm2 restart/stop) makes the
// worker stop claiming, finish or release its jobs within --grace, then exit;
// kill_timeout gives it that long before PM2 sends SIGKILL.
const data = process.env.MASTERVIDEO_DATA ?? '/var/lib/mastervideo'
const logs = process.env.MASTERVIDEO_LOGS ?? '/var/log/mastervideo'

module.exports = {
  apps: [
    {
      name: 'mastervideo-server',
      script: 'mastervideo',
      args: ['serve', '--no-worker', '--data', data],
      interpreter: 'none',
      exec_mode: 'fork',
      instances: 1,
      autorestart: true,
      max_memory_restart: '300M',
      env: { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '3000' },
      out_file: `${logs}/server-out.log`,
      error_file: `${logs}/server-error.log`,
    },
    {
      name: 'mastervideo-worker',
      script: 'mastervideo',
      args: ['worker', '--data', data, '--concurrency', '2', '--grace', '60000'],
      interpreter: 'none',
      exec_mode: 'fork',
      instances: 1,
      autorestart: true,
      max_memory_restart: '500M',
      kill_timeout: 65000,
      env: { NODE_ENV: 'production' },
      out_file: `${logs}/worker-out.log`,
      error_file: `${logs}/worker-error.log`,
    },
  ],
}
