/**
 * npm run cli -- <command>
 *   create-user <username> --password <p> [--admin] [--first-name F] [--last-name L]
 *   token <username>                 prints a JWT for that user
 *   load-users --count N --prefix P  creates P1..PN if missing; prints "<user_id> <token>" lines
 *                                    (progress on stderr when it is a terminal)
 *   migrate                          creates/migrates the database and exits
 */
import { parseArgs } from 'node:util'
import { buildApp } from './app.js'
import { describeDatabase, loadConfig } from './config.js'
import { DomainError } from './errors.js'
import { progress } from './progress.js'

const USAGE = `usage: npm run cli -- <command>
  create-user <username> --password <p> [--admin] [--first-name F] [--last-name L]
  token <username>
  load-users --count N --prefix P
  migrate`

function fail(message: string): never {
  process.stderr.write(`${message}\n`)
  process.exit(2)
}

async function main(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      password: { type: 'string' },
      admin: { type: 'boolean', default: false },
      'first-name': { type: 'string' },
      'last-name': { type: 'string' },
      count: { type: 'string' },
      prefix: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const [command, ...rest] = positionals
  if (!command || values.help) fail(USAGE)

  const { config } = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' })
  const app = await buildApp(config)
  try {
    switch (command) {
      case 'create-user': {
        const [username] = rest
        if (!username || !values.password) fail('usage: create-user <username> --password <p> [--admin]')
        let created
        try {
          created = await app.accounts.register({
            username,
            password: values.password,
            firstName: values['first-name'],
            lastName: values['last-name'],
            isAdmin: values.admin,
          })
        } catch (err) {
          if (err instanceof DomainError && err.fields) fail(Object.entries(err.fields).map(([f, m]) => `${f}: ${m}`).join('\n'))
          throw err
        }
        const { user } = created
        process.stdout.write(`created user ${user.username} (id ${user.id}${user.isAdmin ? ', admin' : ''})\n`)
        break
      }
      case 'token': {
        const [username] = rest
        if (!username) fail('usage: token <username>')
        const user = await app.accounts.findByUsername(username)
        process.stdout.write(`${(await app.accounts.login(user, 'api')).token}\n`)
        break
      }
      case 'load-users': {
        const count = Number(values.count)
        if (!Number.isInteger(count) || count < 1 || count > 1_000_000) fail('--count must be an integer from 1 to 1000000')
        const prefix = values.prefix ?? 'load'
        const started = performance.now()
        // On a terminal: users created, then signed, with rate and time left (stderr only).
        const bar = progress(count)
        const rows = await app.accounts.loadUsers(count, prefix, (done, phase) => bar.update(done, phase === 'created' ? 'created' : 'signed tokens for'))
        bar.end()
        const out = rows.map((r) => `${r.id} ${r.token}`).join('\n')
        process.stdout.write(out + '\n')
        const seconds = (performance.now() - started) / 1000
        process.stderr.write(`${rows.length} users ready in ${seconds.toFixed(2)} s (${Math.round(rows.length / seconds)}/s)\n`)
        break
      }
      case 'migrate':
        process.stdout.write(`${describeDatabase(config)} is up to date\n`)
        break
      default:
        fail(`unknown command ${command}\n${USAGE}`)
    }
  } finally {
    await app.close()
  }
}

main(process.argv.slice(2)).catch((err) => fail(`error: ${(err as Error).message}`))
